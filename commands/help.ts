import { Composer } from "telegraf";
import type { NewsdeskContext } from "../src/bot/context.js";

/** `/help`: the commands, in the reader's language. */
export function helpCommand(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.help(async (ctx) => {
    const bot = ctx.botInfo?.username ?? "bot";
    await ctx.reply(ctx.m.help().replace("{bot}", bot), { parse_mode: "HTML" });
  });
  return c;
}
