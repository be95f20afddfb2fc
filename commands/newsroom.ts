import { randomBytes } from "node:crypto";
import type Keyv from "keyv";
import { Composer, Markup } from "telegraf";
import { z } from "zod";
import type { ArticleIndex } from "../src/articles/search.js";
import { topicName, type TopicDef } from "../src/articles/topics.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { StaffPolicy } from "../src/bot/staff.js";
import type { ChatRepo } from "../src/chats/repo.js";
import { escapeHtml } from "../src/delivery/html.js";
import type { DeliveryQueue } from "../src/runtime/types.js";
import type { DeliveryStats } from "../src/delivery/sender.js";
import { formatDateTime, truncateText } from "../src/delivery/text.js";
import type { FeedHealth } from "../src/feeds/health.js";
import type { PollSummary } from "../src/feeds/scheduler.js";
import type { Logger } from "../src/log.js";
import { localTime } from "../src/schedule/local-time.js";
import { channelCommand, staffGuard } from "./staff-guard.js";

export interface NewsroomDeps {
  policy: StaffPolicy;
  /** The live topics (for /stats). */
  topics: () => readonly TopicDef[];
  /** Every feed, paused ones included (the live registry), for /feeds. */
  feeds: () => Promise<ReadonlyArray<{ id: string; name?: string | undefined; paused?: boolean | undefined }>>;
  chats: ChatRepo;
  index: ArticleIndex;
  outbox: Pick<DeliveryQueue, "fanOut" | "deadLetters">;
  /** /broadcast goes as a paid broadcast (config delivery.paidBroadcast.broadcast). */
  paidBroadcast?: boolean;
  deliveryStats: () => DeliveryStats;
  tipCounts: () => Promise<Record<string, number>>;
  feedHealth: () => Promise<FeedHealth[]>;
  pollAll: () => Promise<PollSummary>;
  /** Pending broadcasts awaiting the confirm button. */
  broadcasts: Keyv<{ text: string; by: number }>;
  channelId: () => number | undefined;
  timeZone: string;
  logger: Logger;
  now: () => number;
}

const COMMANDS = ["stats", "feeds", "poll", "broadcast"] as const;
type StaffCommand = (ctx: NewsdeskContext & { payload: string }) => Promise<void>;
/** `bc:<id>:<y|n>` on the broadcast confirmation buttons. */
const ConfirmSchema = z.string().regex(/^bc:([A-Za-z0-9_-]{8,16}):([yn])$/);
const BROADCAST_TTL_MS = 10 * 60_000;
const MAX_BROADCAST_CHARS = 3500;

/** `/stats`, `/feeds`, `/poll`, `/broadcast` for staff; anyone else gets a polite refusal and a log line. */
export function newsroomCommands(deps: NewsroomDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  const staffOnly = staffGuard(deps.policy, deps.logger);
  const when = (ts: number | undefined, lang: NewsdeskContext["lang"], never: string) =>
    ts ? formatDateTime(ts, deps.timeZone, lang) : never;

  c.action(/^bc:/, staffOnly);

  const stats: StaffCommand = async (ctx) => {
    const counts = deps.chats.counts();
    const d = deps.deliveryStats();
    const today = localTime(deps.now(), deps.timeZone).date;
    const articlesToday = deps.index
      .latest({ limit: 1000 })
      // By publication date: a first poll archives older backlog, which is not today's news.
      .filter((a) => localTime(Math.min(a.publishedAt, a.firstSeenAt), deps.timeZone).date === today).length;
    const tips = await deps.tipCounts();
    const dead = await deps.outbox.deadLetters(3);
    const lines = [
      ctx.m.statsTitle(),
      ctx.m.statsSubscribers({ active: counts.active, inactive: counts.inactive }),
      ...deps.topics().map((t) => ctx.m.statsTopic({ topic: topicName(t, ctx.lang), count: counts.byTopic[t.id] ?? 0 })),
      ctx.m.statsArticles({ today: articlesToday, indexed: deps.index.size }),
      ctx.m.statsDeliveries({
        pending: d.pending,
        sent: d.sent,
        failed: d.failed,
        dead: d.deadLetterTotal,
        lag: Math.round(d.lagSeconds),
        rateLimited: d.rateLimited429,
      }),
      ctx.m.statsBacklog({ messages: d.backlogMessages, minutes: Math.round(d.drainSeconds / 60), rate: d.sendRatePerSecond }),
      ...dead.map((x) => ctx.m.statsDeadLetter({ chatId: x.chatId, error: truncateText(x.error, 120) })),
      ctx.m.statsTips({ byStatus: Object.entries(tips).map(([s, n]) => `${s} ${n}`).join(", ") }),
    ];
    await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
  };

  const feeds: StaffCommand = async (ctx) => {
    const health = await deps.feedHealth();
    if (health.length === 0) {
      await ctx.reply(ctx.m.feedsEmpty());
      return;
    }
    const known = new Map((await deps.feeds()).map((f) => [f.id, f]));
    const never = ctx.m.never();
    const lines = health.map((f) =>
      ctx.m.feedLine({
        icon: known.get(f.feedId)?.paused ? "⏸" : f.status === "ok" ? "🟢" : f.status === "backoff" ? "🟠" : "🔴",
        feed: known.get(f.feedId)?.name || f.feedId,
        id: f.feedId,
        paused: known.get(f.feedId)?.paused === true,
        lastOk: when(f.lastSuccessAt, ctx.lang, never),
        items: f.items,
        next: when(f.nextPollAt, ctx.lang, never),
        error:
          f.consecutiveFailures > 0 && f.lastErrorKind
            ? `${f.lastErrorKind}${f.lastErrorStatus ? ` ${f.lastErrorStatus}` : ""} ×${f.consecutiveFailures}`
            : "",
      }),
    );
    // Long lists are split so each message stays under Telegram's limit.
    let chunk = ctx.m.feedsTitle({ count: health.length });
    for (const line of lines) {
      if (chunk.length + line.length + 1 > 3500) {
        await ctx.reply(chunk, { parse_mode: "HTML" });
        chunk = "";
      }
      chunk += (chunk ? "\n" : "") + line;
    }
    if (chunk) await ctx.reply(chunk, { parse_mode: "HTML" });
  };

  const poll: StaffCommand = async (ctx) => {
    await ctx.reply(ctx.m.pollStarted());
    // A round can take a while (slow feeds time out after poll.timeoutSeconds): the outcome is
    // reported when it ends, without holding up the updates of everyone else meanwhile.
    deps
      .pollAll()
      .then((s) =>
        ctx.reply(
          ctx.m.pollDone({
            polled: s.polled,
            ok: s.ok,
            notModified: s.notModified,
            failed: s.failed,
            fresh: s.newArticles,
            seconds: ((s.finishedAt - s.startedAt) / 1000).toFixed(1),
          }),
        ),
      )
      .catch((err: unknown) => deps.logger.error({ err }, "/poll failed"));
  };

  const broadcast: StaffCommand = async (ctx) => {
    const text = ctx.payload.trim();
    if (!text) {
      await ctx.reply(ctx.m.broadcastUsage());
      return;
    }
    const id = randomBytes(6).toString("base64url");
    const cut = truncateText(text, MAX_BROADCAST_CHARS);
    await deps.broadcasts.set(id, { text: cut, by: ctx.from?.id ?? 0 }, BROADCAST_TTL_MS);
    const count = recipientCount(deps);
    await ctx.reply(ctx.m.broadcastConfirm({ count, preview: cut }), {
      parse_mode: "HTML",
      reply_markup: Markup.inlineKeyboard([
        Markup.button.callback(ctx.m.broadcastYes(), `bc:${id}:y`),
        Markup.button.callback(ctx.m.broadcastNo(), `bc:${id}:n`),
      ]).reply_markup,
    });
  };

  const handlers: Record<(typeof COMMANDS)[number], StaffCommand> = { stats, feeds, poll, broadcast };
  for (const name of COMMANDS) c.command(name, staffOnly, (ctx) => handlers[name](ctx));
  // telegraf's command() matches `message` updates only; a newsroom channel posts its commands as channel_post.
  c.on("channel_post", async (ctx, next) => {
    const cmd = channelCommand(ctx.channelPost, ctx.me, COMMANDS);
    if (!cmd) return next();
    await staffOnly(ctx, () => handlers[cmd.name](Object.assign(ctx, { payload: cmd.payload })));
  });

  c.action(/^bc:/, async (ctx) => {
    const parsed = ConfirmSchema.safeParse("data" in ctx.callbackQuery ? ctx.callbackQuery.data : undefined);
    const [, id, answer] = parsed.success ? (/^bc:([^:]+):([yn])$/.exec(parsed.data) ?? []) : [];
    const pending = id ? await deps.broadcasts.get(id) : undefined;
    if (!id || !pending) {
      await ctx.answerCbQuery(ctx.m.broadcastExpired(), { show_alert: true });
      return;
    }
    // Deleting first makes a double tap send once.
    if (!(await deps.broadcasts.delete(id))) {
      await ctx.answerCbQuery(ctx.m.broadcastExpired(), { show_alert: true });
      return;
    }
    if (answer === "n") {
      await ctx.answerCbQuery();
      await ctx.editMessageText(ctx.m.broadcastCancelled()).catch(() => undefined);
      return;
    }
    const recipients = await activeRecipients(deps);
    await deps.outbox.fanOut({
      id: `broadcast:${id}`,
      priority: "broadcast",
      payload: {
        kind: "call",
        method: "sendMessage",
        params: {
          text: `🔴 ${escapeHtml(pending.text)}`,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: false },
          ...(deps.paidBroadcast ? { allow_paid_broadcast: true } : {}),
        },
      },
      recipients,
    });
    deps.logger.info({ recipients: recipients.length }, "broadcast queued");
    await ctx.answerCbQuery();
    await ctx.editMessageText(ctx.m.broadcastQueued({ count: recipients.length })).catch(() => undefined);
  });

  return c;
}

function recipientCount(deps: NewsroomDeps): number {
  return deps.chats.counts().active + (deps.channelId() !== undefined ? 1 : 0);
}

/** Every active chat (subscribed or not: breaking news goes to everyone who talks to the bot) and the channel. */
async function activeRecipients(deps: NewsroomDeps): Promise<number[]> {
  const ids: number[] = [];
  for await (const chat of deps.chats.list()) if (chat.active && chat.type !== "channel") ids.push(chat.id);
  const channel = deps.channelId();
  if (channel !== undefined) ids.push(channel);
  return ids;
}
