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

/** Last in the chain, private chats only: an unknown command, or a message no feature took. */
export function fallback(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.on("message", async (ctx, next) => {
    if (ctx.chat.type !== "private") return next();
    const text = "text" in ctx.message ? ctx.message.text : undefined;
    if (text?.startsWith("/")) await ctx.reply(ctx.m.unknownCommand());
    else if (text === undefined) await ctx.reply(ctx.m.mediaHint());
    else return next();
  });
  return c;
}
