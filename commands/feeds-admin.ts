import { randomBytes } from "node:crypto";
import type Keyv from "keyv";
import { Composer, Markup } from "telegraf";
import type { Message } from "telegraf/types";
import { z } from "zod";
import { resolveTopic, type TopicDef } from "../src/articles/topics.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { StaffPolicy } from "../src/bot/staff.js";
import { toFeedError } from "../src/feeds/errors.js";
import { parseFeedUrl } from "../src/feeds/fetch.js";
import type { OpmlProblem, ParsedOpml } from "../src/feeds/opml.js";
import { DuplicateFeed, idFromUrl, urlKey, type FeedRegistry } from "../src/feeds/registry.js";
import type { FeedProbe } from "../src/feeds/scheduler.js";
import type { Logger } from "../src/log.js";
import { FileDownloadError, type DownloadFile } from "../src/telegram/files.js";
import { channelCommand, confirmedDraft, staffGuard } from "./staff-guard.js";

/** The OPML module (fast-xml-parser) on first /export or import: most bots never load it. */
const loadOpml = () => import("../src/feeds/opml.js");

export interface FeedAdminDeps {
  policy: StaffPolicy;
  registry: Pick<FeedRegistry, "list" | "get" | "findByUrl" | "add" | "setPaused" | "remove">;
  /** Fetches a URL once through the feed pipeline, checked like a redirect target; throws FeedError. */
  probe: (url: string) => Promise<FeedProbe>;
  /** Checks an imported URL like a redirect target without fetching it; throws FeedError. */
  checkUrl: (url: string) => Promise<void>;
  /** Forgets a feed's poll state and health (a feed added again starts with a first poll). */
  forget: (feedId: string) => Promise<void>;
  /**
   * Polls now (after an add or import): the new feeds' first poll archives their current items at
   * once, so what they publish from then on reaches subscribers. Default: wait for the schedule.
   */
  pollNow?: () => Promise<unknown>;
  /** The topics feeds may be given (ids or names, as readers type them). */
  topics: () => readonly TopicDef[];
  /** Confirmations waiting for their button. */
  drafts: Keyv<unknown>;
  downloadFile: DownloadFile;
  /** The outlet's name, for the OPML title. */
  outletName: string;
  /** Largest OPML document imported; default 1 MiB. */
  maxOpmlBytes?: number;
  logger: Logger;
  now: () => number;
}

const COMMANDS = ["addfeed", "removefeed", "pausefeed", "resumefeed", "export"] as const;
type Command = (typeof COMMANDS)[number];
type Handler = (ctx: NewsdeskContext, payload: string) => Promise<void>;

/** `fd:<draft id>:<y|n>` on the confirmation buttons. */
const ButtonSchema = z.string().regex(/^fd:[A-Za-z0-9_-]{8,16}:[yn]$/);
const DraftFeedSchema = z.object({
  url: z.string(),
  name: z.string(),
  topics: z.array(z.string()),
  id: z.string().optional(),
  paused: z.boolean().default(false),
});
const DraftSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("add"), feed: DraftFeedSchema, by: z.number() }),
  z.object({ kind: z.literal("import"), feeds: z.array(DraftFeedSchema), by: z.number() }),
]);
type Draft = z.infer<typeof DraftSchema>;
type DraftFeed = z.infer<typeof DraftFeedSchema>;

const DRAFT_TTL_MS = 15 * 60_000;
const DEFAULT_MAX_OPML_BYTES = 1024 * 1024;
const MAX_PROBLEM_LINES = 15;
const OPML_FILE = /\.(opml|xml)$/i;

/**
 * Feeds from chat for staff: /addfeed (preview, then a confirm button), /removefeed, /pausefeed,
 * /resumefeed, /export (an OPML document), and an OPML document sent in the newsroom (preview, then
 * confirm). Everyone else is refused by the same staff policy as every staff command.
 */
export function feedAdminCommands(deps: FeedAdminDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  const staffOnly = staffGuard(deps.policy, deps.logger);
  const maxOpmlBytes = deps.maxOpmlBytes ?? DEFAULT_MAX_OPML_BYTES;
  const by = (ctx: NewsdeskContext): number => ctx.from?.id ?? 0;
  const html = { parse_mode: "HTML" as const };

  const saveDraft = async (draft: Draft): Promise<string> => {
    const id = randomBytes(6).toString("base64url");
    await deps.drafts.set(id, draft, DRAFT_TTL_MS);
    return id;
  };
  const buttons = (id: string, yes: string, no: string) =>
    Markup.inlineKeyboard([Markup.button.callback(yes, `fd:${id}:y`), Markup.button.callback(no, `fd:${id}:n`)]).reply_markup;

  const addfeed: Handler = async (ctx, payload) => {
    const [rawUrl, ...words] = payload.trim().split(/[\s,，]+/).filter(Boolean);
    if (!rawUrl) return void (await ctx.reply(ctx.m.addFeedUsage()));
    let url: string;
    try {
      url = parseFeedUrl(rawUrl).href;
    } catch {
      return void (await ctx.reply(ctx.m.addFeedFailed({ url: rawUrl, problem: ctx.m.feedProblem({ kind: "bad-url" }) }), html));
    }
    const topics = deps.topics();
    const resolved = words.map((w) => ({ word: w, topic: resolveTopic(w, topics) }));
    const unknown = resolved.filter((r) => !r.topic).map((r) => r.word);
    if (unknown.length > 0) {
      return void (await ctx.reply(ctx.m.addFeedUnknownTopics({ unknown: unknown.join(", "), known: topics.map((t) => t.id).join(", ") })));
    }
    const existing = await deps.registry.findByUrl(url);
    if (existing) return void (await ctx.reply(ctx.m.addFeedDuplicate({ feed: existing.name || existing.id, id: existing.id }), html));
    let probe: FeedProbe;
    try {
      probe = await deps.probe(url);
    } catch (err) {
      const e = toFeedError(err, "not-a-feed");
      deps.logger.info({ kind: e.kind, status: e.status }, "/addfeed: URL refused or not a feed");
      return void (await ctx.reply(ctx.m.addFeedFailed({ url, problem: ctx.m.feedProblem({ kind: e.kind, status: e.status }) }), html));
    }
    const topicIds = [...new Set(resolved.map((r) => r.topic!.id))];
    const name = probe.title || new URL(url).hostname;
    const id = await saveDraft({ kind: "add", feed: { url, name, topics: topicIds, paused: false }, by: by(ctx) });
    await ctx.reply(ctx.m.addFeedPreview({ title: name, url, items: probe.items, encoding: probe.encoding, topics: topicIds.join(", ") }), {
      ...html,
      link_preview_options: { is_disabled: true },
      reply_markup: buttons(id, ctx.m.addFeedYes(), ctx.m.feedCancel()),
    });
  };

  const byId =
    (command: "removefeed" | "pausefeed" | "resumefeed"): Handler =>
    async (ctx, payload) => {
      const id = payload.trim().split(/\s+/)[0] ?? "";
      if (!id) return void (await ctx.reply(ctx.m.feedIdUsage({ command })));
      const by_ = by(ctx);
      const feed =
        command === "removefeed"
          ? await deps.registry.remove(id, by_)
          : await deps.registry.setPaused(id, command === "pausefeed", by_);
      if (!feed) return void (await ctx.reply(ctx.m.feedUnknownId({ id })));
      const name = feed.name || feed.id;
      deps.logger.info({ feedId: feed.id, by: by_, command }, "feed changed from chat");
      if (command === "removefeed") {
        await deps.forget(feed.id).catch((err: unknown) => deps.logger.warn({ err, feedId: feed.id }, "could not forget a removed feed's state"));
        await ctx.reply(ctx.m.feedRemoved({ feed: name, id: feed.id }), html);
      } else if (command === "pausefeed") await ctx.reply(ctx.m.feedPaused({ feed: name, id: feed.id }), html);
      else await ctx.reply(ctx.m.feedResumed({ feed: name }), html);
    };

  const exportFeeds: Handler = async (ctx) => {
    const feeds = await deps.registry.list();
    if (feeds.length === 0) return void (await ctx.reply(ctx.m.exportEmpty()));
    const nowMs = deps.now();
    // A topic removed from chat since a feed was given it is no category any more.
    const live = new Set(deps.topics().map((t) => t.id));
    const { buildOpml } = await loadOpml();
    const xml = buildOpml(
      feeds.map((f) => ({ ...f, topics: f.topics.filter((id) => live.has(id)) })),
      { title: `${deps.outletName} feeds`, nowMs },
    );
    const date = new Date(nowMs).toISOString().slice(0, 10);
    await ctx.replyWithDocument({ source: Buffer.from(xml, "utf8"), filename: `newsdesk-feeds-${date}.opml` }, { caption: ctx.m.exportCaption({ count: feeds.length }) });
  };

  const importOpml = async (ctx: NewsdeskContext, doc: NonNullable<Message.DocumentMessage["document"]>): Promise<void> => {
    const tooLarge = () => ctx.reply(ctx.m.importTooLarge({ maxKb: Math.round(maxOpmlBytes / 1024) }));
    if ((doc.file_size ?? 0) > maxOpmlBytes) return void (await tooLarge());
    let bytes: Uint8Array;
    try {
      bytes = await deps.downloadFile(ctx.telegram, doc.file_id, maxOpmlBytes);
    } catch (err) {
      if (err instanceof FileDownloadError && err.kind === "too-large") return void (await tooLarge());
      deps.logger.warn({ err }, "OPML download failed");
      return void (await ctx.reply(ctx.m.importDownloadFailed()));
    }
    const { OpmlError, parseOpml } = await loadOpml();
    let parsed: ParsedOpml;
    try {
      parsed = parseOpml(bytes, maxOpmlBytes);
    } catch (err) {
      if (!(err instanceof OpmlError)) throw err;
      return void (await ctx.reply(ctx.m.importUnreadable({ kind: err.kind })));
    }
    const present = new Set((await deps.registry.list()).map((f) => urlKey(f.url)));
    const topics = deps.topics();
    const problems: Array<{ label: string; reason: OpmlProblem["reason"] | "blocked" }> = [...parsed.problems];
    const toAdd: DraftFeed[] = [];
    let existing = 0;
    for (const feed of parsed.feeds) {
      if (present.has(urlKey(feed.url))) {
        existing++;
        continue;
      }
      try {
        await deps.checkUrl(feed.url);
      } catch (err) {
        // Only a refused address is invalid; a name that does not resolve now may later (polls check again).
        if (toFeedError(err).kind === "bad-url") {
          problems.push({ label: feed.title || feed.url, reason: "blocked" });
          continue;
        }
      }
      const ids = feed.categories.map((cat) => resolveTopic(cat, topics)?.id).filter((id): id is string => id !== undefined);
      toAdd.push({ url: feed.url, name: feed.title || idFromUrl(feed.url), topics: [...new Set(ids)], paused: feed.paused, ...(feed.id ? { id: feed.id } : {}) });
    }
    const lines = [ctx.m.importPreview({ title: parsed.title ?? "", add: toAdd.length, existing, invalid: problems.length })];
    for (const p of problems.slice(0, MAX_PROBLEM_LINES)) lines.push(ctx.m.importLine({ label: p.label, reason: p.reason }));
    if (problems.length > MAX_PROBLEM_LINES) lines.push(ctx.m.importMore({ count: problems.length - MAX_PROBLEM_LINES }));
    deps.logger.info({ add: toAdd.length, existing, invalid: problems.length }, "OPML import previewed");
    if (toAdd.length === 0) return void (await ctx.reply(lines.join("\n"), html));
    const id = await saveDraft({ kind: "import", feeds: toAdd, by: by(ctx) });
    await ctx.reply(lines.join("\n"), { ...html, reply_markup: buttons(id, ctx.m.importYes({ count: toAdd.length }), ctx.m.feedCancel()) });
  };

  /** Adds draft feeds; a URL added meanwhile (another tap, another instance) is skipped. */
  // In the background: the answer to staff does not wait for every feed's fetch.
  const firstPoll = (): void => void deps.pollNow?.().catch((err: unknown) => deps.logger.warn({ err }, "first poll of added feeds failed"));
  const addAll = async (feeds: readonly DraftFeed[], staff: number): Promise<{ added: Array<{ id: string; name: string }>; skipped: number }> => {
    const added: Array<{ id: string; name: string }> = [];
    let skipped = 0;
    for (const f of feeds) {
      try {
        const feed = await deps.registry.add({ url: f.url, name: f.name, topics: f.topics, ...(f.id ? { id: f.id } : {}) }, { by: staff, beforeSave: deps.forget });
        if (f.paused) await deps.registry.setPaused(feed.id, true, staff);
        added.push({ id: feed.id, name: feed.name || feed.id });
      } catch (err) {
        if (!(err instanceof DuplicateFeed)) throw err;
        skipped++;
      }
    }
    return { added, skipped };
  };

  const handlers: Record<Command, Handler> = {
    addfeed,
    removefeed: byId("removefeed"),
    pausefeed: byId("pausefeed"),
    resumefeed: byId("resumefeed"),
    export: exportFeeds,
  };
  for (const name of COMMANDS) c.command(name, staffOnly, (ctx) => handlers[name](ctx, ctx.payload));
  c.on("channel_post", async (ctx, next) => {
    const post = ctx.channelPost;
    const cmd = channelCommand(post, ctx.me, COMMANDS);
    if (cmd) return staffOnly(ctx, () => handlers[cmd.name](ctx, cmd.payload));
    if ("document" in post && isOpmlDocument(post.document) && ctx.chat.id === deps.policy.newsroomChatId) {
      return staffOnly(ctx, () => importOpml(ctx, post.document));
    }
    return next();
  });
  // An OPML document sent in the newsroom imports; anywhere else documents are not ours (tips).
  c.on("document", async (ctx, next) => {
    const msg = ctx.message;
    if (ctx.chat.id !== deps.policy.newsroomChatId || !isOpmlDocument(msg.document) || msg.reply_to_message) return next();
    return staffOnly(ctx, () => importOpml(ctx, msg.document));
  });

  c.action(/^fd:/, staffOnly, async (ctx) => {
    const draft = (await confirmedDraft(ctx, ButtonSchema, deps.drafts, DraftSchema))?.draft;
    if (!draft) return;
    const staff = by(ctx);
    if (draft.kind === "add") {
      const { added } = await addAll([draft.feed], staff);
      const feed = added[0];
      const existing = feed ? undefined : await deps.registry.findByUrl(draft.feed.url);
      const text = feed
        ? ctx.m.addFeedDone({ feed: feed.name, id: feed.id })
        : ctx.m.addFeedDuplicate({ feed: existing?.name || existing?.id || draft.feed.url, id: existing?.id ?? "?" });
      if (feed) deps.logger.info({ feedId: feed.id, by: staff }, "feed added from chat");
      await ctx.editMessageText(text, html).catch(() => undefined);
      if (feed) firstPoll();
      return;
    }
    const { added, skipped } = await addAll(draft.feeds, staff);
    deps.logger.info({ added: added.length, skipped, by: staff }, "OPML imported");
    await ctx.editMessageText(ctx.m.importDone({ added: added.length, skipped }), html).catch(() => undefined);
    if (added.length > 0) firstPoll();
  });

  return c;
}

function isOpmlDocument(doc: { file_name?: string; mime_type?: string } | undefined): boolean {
  if (!doc) return false;
  return OPML_FILE.test(doc.file_name ?? "") || doc.mime_type === "text/x-opml";
}
