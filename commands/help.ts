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
  // Added to a group: say how the group subscribes (admins only), instead of sitting there silently.
  c.on("my_chat_member", async (ctx, next) => {
    const update = ctx.myChatMember;
    const joined = ["member", "administrator"].includes(update.new_chat_member.status) && ["left", "kicked"].includes(update.old_chat_member.status);
    if (!joined || (ctx.chat.type !== "group" && ctx.chat.type !== "supergroup")) return next();
    const bot = ctx.botInfo?.username ?? "bot";
    await ctx.reply(ctx.m.addedToGroup({ bot }), { parse_mode: "HTML" });
  });
  c.on("message", async (ctx, next) => {
    if (ctx.chat.type !== "private") return next();
    const text = "text" in ctx.message ? ctx.message.text : undefined;
    // /cancel when nothing is open (the tip line takes it when a tip is): say so, not "unknown command".
    if (text !== undefined && /^\/cancel(@\w+)?(\s|$)/.test(text)) await ctx.reply(ctx.m.nothingToCancel());
    else if (text?.startsWith("/")) await ctx.reply(ctx.m.unknownCommand());
    else if (text === undefined) await ctx.reply(ctx.m.mediaHint());
    else return next();
  });
  return c;
}
