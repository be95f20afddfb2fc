import { Composer, Markup } from "telegraf";
import type { InlineKeyboardMarkup } from "telegraf/types";
import { z } from "zod";
import { resolveTopic, topicName, topicsWithKeyword, type TopicDef } from "../src/articles/topics.js";
import { canManageChat } from "../src/bot/admin.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { ChatRecord } from "../src/chats/record.js";
import type { ChatRepo } from "../src/chats/repo.js";
import { isForumChat, routeLines, threadOfMessage } from "../src/chats/threads.js";
import { TELEGRAM_LIMITS, truncateText } from "../src/delivery/text.js";

export interface SubscriptionDeps {
  chats: ChatRepo;
  /** The live topics, read at every update (topics added or removed from chat show at once). */
  topics: () => readonly TopicDef[];
}

/** Callback data of a topic toggle button: `t:<topicId>` (≤ 64 bytes, checked on the way back in). */
/** Longest echo of a reader's unknown topic argument, in UTF-16 units. */
const MAX_ECHO_UNITS = 100;
const ToggleSchema = z.string().regex(/^t:([a-z0-9][a-z0-9_-]{0,31})$/);

function keyboard(topics: readonly TopicDef[], subscribed: readonly string[], ctx: NewsdeskContext): InlineKeyboardMarkup {
  const buttons = topics.map((t) =>
    Markup.button.callback(ctx.m.topicButton({ name: topicName(t, ctx.lang), on: subscribed.includes(t.id) }), `t:${t.id}`),
  );
  const rows = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return { inline_keyboard: rows };
}

/**
 * The chat's record, created on first use. Its language is fixed then to what the reader sees now
 * (their /lang choice, else their Telegram language), so pushes and digests, which have no user to
 * take a language from, speak the same language as the replies.
 */
export async function ensureChat(chats: ChatRepo, ctx: NewsdeskContext): Promise<ChatRecord> {
  const chat = ctx.chat!;
  const record = await chats.ensure(chat.id, chat.type);
  if (record.lang) return record;
  return (
    (await chats.update(record.id, (r) => {
      r.lang = ctx.lang;
    })) ?? record
  );
}

/** Subscribes the current chat to a topic given by id or name; used by /subscribe and `/start sub_<topic>`. */
export async function subscribeTo(deps: SubscriptionDeps, ctx: NewsdeskContext, input: string): Promise<void> {
  const topic = resolveTopic(input, deps.topics());
  if (!topic) {
    // A keyword of some topics ("solar" for New energy): offer those, so what the reader meant is one tap away.
    const meant = topicsWithKeyword(input, deps.topics());
    const echo = truncateText(input, MAX_ECHO_UNITS);
    if (meant.length === 0) {
      await ctx.reply(ctx.m.unknownTopic({ topic: echo }), { parse_mode: "HTML" });
      return;
    }
    const record = ctx.chat ? await deps.chats.get(ctx.chat.id) : undefined;
    await ctx.reply(ctx.m.unknownTopicKeyword({ topic: echo, names: meant.map((t) => topicName(t, ctx.lang)) }), {
      parse_mode: "HTML",
      reply_markup: keyboard(meant, record?.topics ?? [], ctx),
    });
    return;
  }
  if (!(await canManageChat(ctx))) {
    await ctx.reply(ctx.m.groupAdminsOnly());
    return;
  }
  const before = await ensureChat(deps.chats, ctx);
  // In a forum group the subscription goes to the thread it was asked for in (none: General).
  const thread = threadOfMessage(ctx.message);
  if (before.topics.includes(topic.id) && before.active && before.threads?.[topic.id]?.id === thread?.id) {
    await ctx.reply(ctx.m.alreadySubscribed({ topic: topicName(topic, ctx.lang) }), { parse_mode: "HTML" });
    return;
  }
  await deps.chats.subscribe(before.id, topic.id, thread);
  if (!before.active) await deps.chats.reactivate(before.id);
  const name = topicName(topic, ctx.lang);
  const done = !isForumChat(ctx.chat) ? ctx.m.subscribed({ topic: name }) : thread ? ctx.m.subscribedThread({ topic: name }) : ctx.m.subscribedGeneral({ topic: name });
  await ctx.reply(done, { parse_mode: "HTML" });
}

/** `/topics` with toggle buttons, `/subscribe <topic>`, `/unsubscribe <topic|all>`. */
export function subscriptionCommands(deps: SubscriptionDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();

  c.command("topics", async (ctx) => {
    const record = await deps.chats.get(ctx.chat.id);
    const routes = isForumChat(ctx.chat) && record ? routeLines(record, deps.topics(), ctx.lang) : "";
    await ctx.reply(routes ? `${ctx.m.topicsHeader({ count: deps.topics().length })}\n\n${routes}` : ctx.m.topicsHeader({ count: deps.topics().length }), {
      parse_mode: "HTML",
      reply_markup: deps.topics().length > 0 ? keyboard(deps.topics(), record?.topics ?? [], ctx) : undefined,
    });
  });

  c.command("subscribe", async (ctx) => {
    const arg = ctx.payload.trim();
    if (!arg) {
      await ctx.reply(ctx.m.subscribeUsage());
      return;
    }
    await subscribeTo(deps, ctx, arg);
  });

  c.command("unsubscribe", async (ctx) => {
    const arg = ctx.payload.trim();
    if (!arg) {
      await ctx.reply(ctx.m.unsubscribeUsage());
      return;
    }
    const all = arg.toLowerCase() === "all" || arg === "全部";
    const topic = all ? undefined : resolveTopic(arg, deps.topics());
    if (!all && !topic) {
      await ctx.reply(ctx.m.unknownTopic({ topic: truncateText(arg, MAX_ECHO_UNITS) }), { parse_mode: "HTML" });
      return;
    }
    if (!(await canManageChat(ctx))) {
      await ctx.reply(ctx.m.groupAdminsOnly());
      return;
    }
    const record = await deps.chats.get(ctx.chat.id);
    if (topic && !record?.topics.includes(topic.id)) {
      await ctx.reply(ctx.m.notSubscribed({ topic: topicName(topic, ctx.lang) }), { parse_mode: "HTML" });
      return;
    }
    if (record) await deps.chats.unsubscribe(record.id, topic?.id ?? "all");
    await ctx.reply(topic ? ctx.m.unsubscribed({ topic: topicName(topic, ctx.lang) }) : ctx.m.unsubscribedAll(), { parse_mode: "HTML" });
  });

  c.action(/^t:/, async (ctx) => {
    const data = ToggleSchema.safeParse("data" in ctx.callbackQuery ? ctx.callbackQuery.data : undefined);
    const topic = data.success ? deps.topics().find((t) => t.id === data.data.slice(2)) : undefined;
    if (!topic || !ctx.chat) {
      await ctx.answerCbQuery(ctx.m.unknownTopic({ topic: "?" }).replace(/<[^>]+>/g, ""));
      return;
    }
    if (!(await canManageChat(ctx))) {
      await ctx.answerCbQuery(ctx.m.groupAdminsOnly(), { show_alert: true });
      return;
    }
    const before = await ensureChat(deps.chats, ctx);
    const on = !before.topics.includes(topic.id);
    const after = on ? await deps.chats.subscribe(before.id, topic.id, threadOfMessage(ctx.callbackQuery.message)) : await deps.chats.unsubscribe(before.id, topic.id);
    if (on && !before.active) await deps.chats.reactivate(before.id);
    const toast = on ? ctx.m.toggledOn({ topic: topicName(topic, ctx.lang) }) : ctx.m.toggledOff({ topic: topicName(topic, ctx.lang) });
    await ctx.answerCbQuery(truncateText(toast, TELEGRAM_LIMITS.callbackAnswer));
    await ctx.editMessageReplyMarkup(keyboard(deps.topics(), after?.topics ?? [], ctx)).catch(() => undefined);
  });

  return c;
}
