import { Composer } from "telegraf";
import type { TopicDef } from "../src/articles/topics.js";
import { resolveTopic, topicKey } from "../src/articles/topics.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { TipButtonSchema } from "../src/tips/buttons.js";
import type { TipDeps } from "../src/tips/deps.js";
import { askForget, forgetChoice } from "../src/tips/forget.js";
import {
  addToDraft,
  answerPending,
  answerTip,
  blockedGate,
  cancelTip,
  chooseAnonymity,
  finishTip,
  noticeExpired,
  privacy,
  startTip as openTip,
  type TipIntakeOptions,
} from "../src/tips/intake.js";
import { parseTipRef } from "../src/tips/ref.js";
import { readerLink } from "../src/tips/repo.js";

/** `/start tip` for startCommand({ onTip }): the same as /tip. */
export function startTipHandler(deps: TipDeps): (ctx: NewsdeskContext) => Promise<void> {
  return (ctx) => openTip(deps, ctx);
}

/** True for a topic's id, name (any language) or keyword: while a tip is open, such a word is asked about. */
export function topicWordMatcher(topics: readonly TopicDef[]): (text: string) => boolean {
  return (text) => {
    if (resolveTopic(text, topics)) return true;
    const key = topicKey(text);
    return key !== "" && topics.some((t) => t.keywords.some((k) => topicKey(k) === key));
  };
}

/**
 * Reader side of the tip line: /tip, /tips (also `/tip <ref> text`), /done, /cancel, /privacy,
 * /forget, the tip buttons, and messages in a private chat while a tip is open or that reply to a
 * newsroom message. Commands always go to their command; a short line that may be a search is
 * asked about (add to tip / search instead). Place it before any handler of plain private text
 * (search): it passes on everything it does not own.
 */
export function tipCommands(deps: TipDeps, options: TipIntakeOptions = {}): Composer<NewsdeskContext> {
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
      await addToDraft(deps, ctx, { ask: false });
  });
  c.command("done", (ctx) => (ctx.chat.type === "private" ? finishTip(deps, ctx) : undefined));
  c.command("cancel", async (ctx, next) => {
    // Another feature may have its own /cancel: only answer when a tip is open here.
    if (ctx.chat.type !== "private") return next();
    await noticeExpired(deps, ctx);
    if (!(await deps.repo.getDraft(ctx.chat.id))) return next();
    await cancelTip(deps, ctx);
  });
  c.command("privacy", (ctx) => privacy(deps, ctx));
  c.command("forget", async (ctx) => {
    if (ctx.chat.type !== "private") await ctx.reply(ctx.m.notInGroup());
    else await askForget(deps, ctx);
  });
  c.action(/^tip:/, async (ctx) => {
    const parsed = TipButtonSchema.safeParse("data" in ctx.callbackQuery ? ctx.callbackQuery.data : "");
    if (!parsed.success) {
      await ctx.answerCbQuery(ctx.m.tipBadButton(), { show_alert: true });
      return;
    }
    const button = parsed.data;
    switch (button.kind) {
      case "anon":
        return chooseAnonymity(deps, ctx, button.anonymous);
      case "send":
      case "cancel":
        await ctx.answerCbQuery();
        await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
        return button.kind === "send" ? finishTip(deps, ctx) : cancelTip(deps, ctx);
      case "pending":
        return answerPending(deps, ctx, button, options);
      case "forget":
        return forgetChoice(deps, ctx, button.scope);
    }
  });
  c.on("message", async (ctx, next) => {
    if (ctx.chat.type !== "private") return next();
    const msg = ctx.message;
    if ("text" in msg && msg.entities?.[0]?.type === "bot_command" && msg.entities[0].offset === 0) return next();
    const replyTo = "reply_to_message" in msg ? msg.reply_to_message : undefined;
    if (replyTo) {
      const ref = await deps.repo.linkedRef(readerLink(ctx.chat.id, replyTo.message_id));
      if (ref) return answerTip(deps, ctx, ref, { messageId: msg.message_id });
    }
    await noticeExpired(deps, ctx);
    if (await deps.repo.getDraft(ctx.chat.id)) {
      if (await blockedGate(deps, ctx)) return;
      if (await addToDraft(deps, ctx, options)) return;
    }
    // Sent before /done but handled after it (updates of one batch run in parallel): it belongs to that tip.
    const mark = await deps.repo.sentMark(ctx.chat.id);
    if (mark && msg.message_id < mark.doneMessageId) return answerTip(deps, ctx, mark.ref, { messageId: msg.message_id });
    return next();
  });
  return c;
}
