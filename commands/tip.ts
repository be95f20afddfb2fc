import { Composer } from "telegraf";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { TipDeps } from "../src/tips/deps.js";
import {
  addToDraft,
  answerTip,
  blockedGate,
  cancelTip,
  chooseAnonymity,
  finishTip,
  forget,
  privacy,
  startTip as openTip,
} from "../src/tips/intake.js";
import { parseTipRef } from "../src/tips/ref.js";
import { readerLink } from "../src/tips/repo.js";

/** `/start tip` for startCommand({ onTip }): the same as /tip. */
export function startTipHandler(deps: TipDeps): (ctx: NewsdeskContext) => Promise<void> {
  return (ctx) => openTip(deps, ctx);
}

/**
 * Reader side of the tip line: /tip, /tips (also `/tip <ref> text`), /done, /cancel, /privacy,
 * /forget, the anonymity buttons, and messages in a private chat while a tip is open or that reply
 * to a newsroom message. Place it before any handler of plain private text (search): it passes on
 * everything it does not own.
 */
export function tipCommands(deps: TipDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.command(["tip", "tips"], async (ctx) => {
    const [first = "", ...rest] = ctx.payload.trim().split(/\s+/);
    // Only `T-…` counts as a reference here: "/tip There was a crash" is a new tip, not an answer.
    const ref = /^t-/i.test(first) ? parseTipRef(first) : null;
    if (ref && ctx.chat.type === "private") {
      await answerTip(deps, ctx, ref, { text: ctx.payload.trim().slice(first.length).trim() || rest.join(" ") });
      return;
    }
    await openTip(deps, ctx);
    // `/tip a fire on Main Street` starts the tip with those words; the copy shows them as sent.
    if (ctx.payload.trim() !== "" && ctx.chat.type === "private" && (await deps.repo.getDraft(ctx.chat.id)))
      await addToDraft(deps, ctx);
  });
  c.command("done", (ctx) => (ctx.chat.type === "private" ? finishTip(deps, ctx) : undefined));
  c.command("cancel", async (ctx, next) => {
    // Another feature may have its own /cancel: only answer when a tip is open here.
    if (ctx.chat.type !== "private" || !(await deps.repo.getDraft(ctx.chat.id))) return next();
    await cancelTip(deps, ctx);
  });
  c.command("privacy", (ctx) => privacy(deps, ctx));
  c.command("forget", async (ctx) => {
    if (ctx.chat.type !== "private") await ctx.reply(ctx.m.notInGroup());
    else await forget(deps, ctx);
  });
  c.action(/^tip:/, (ctx) => chooseAnonymity(deps, ctx, "data" in ctx.callbackQuery ? ctx.callbackQuery.data : ""));
  c.on("message", async (ctx, next) => {
    if (ctx.chat.type !== "private") return next();
    const msg = ctx.message;
    if ("text" in msg && msg.entities?.[0]?.type === "bot_command" && msg.entities[0].offset === 0) return next();
    const replyTo = "reply_to_message" in msg ? msg.reply_to_message : undefined;
    if (replyTo) {
      const ref = await deps.repo.linkedRef(readerLink(ctx.chat.id, replyTo.message_id));
      if (ref) return answerTip(deps, ctx, ref, { messageId: msg.message_id });
    }
    if (await deps.repo.getDraft(ctx.chat.id)) {
      if (await blockedGate(deps, ctx)) return;
      if (await addToDraft(deps, ctx)) return;
    }
    // Sent before /done but handled after it (updates of one batch run in parallel): it belongs to that tip.
    const mark = await deps.repo.sentMark(ctx.chat.id);
    if (mark && msg.message_id < mark.doneMessageId) return answerTip(deps, ctx, mark.ref, { messageId: msg.message_id });
    return next();
  });
  return c;
}
