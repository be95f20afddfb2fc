import { createHash, randomBytes } from "node:crypto";
import type Keyv from "keyv";
import { Composer, Markup } from "telegraf";
import type { InlineQueryResult } from "telegraf/types";
import { z } from "zod";
import type { ArticleArchive } from "../src/articles/archive.js";
import type { Article, IndexedArticle } from "../src/articles/article.js";
import type { ArticleIndex } from "../src/articles/search.js";
import { queryArticles, topicName, type TopicDef } from "../src/articles/topics.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { formatArticle, formatArticleList } from "../src/delivery/format.js";
import { formatDate, TELEGRAM_LIMITS, truncateText } from "../src/delivery/text.js";
import type { Lang, Messages } from "../src/i18n/index.js";

export interface QueryDeps {
  index: ArticleIndex;
  /** Whole articles (the index holds no summaries): what an inline result sends. */
  archive: Pick<ArticleArchive, "get">;
  /** The live topics, read at every query (a topic added from chat is found at once). */
  topics: () => readonly TopicDef[];
  timeZone: string;
  /** Recent queries behind "more" buttons (callback data holds only a short id). */
  queries: Keyv<string>;
}

const PAGE = 5;
const MAX_LATEST = 20;
/** Longest query searched (and echoed back), in UTF-16 units. */
const MAX_QUERY_UNITS = 200;
const QUERY_TTL_MS = 86_400_000;
/** `q:<id>:<offset>`: an id of a stored query and the offset of the next page. */
const MoreSchema = z.string().regex(/^q:([A-Za-z0-9_-]{8,16}):(\d{1,4})$/);

function listText(header: string, articles: readonly IndexedArticle[], lang: Lang, tz: string, startNumber: number): string {
  const list = formatArticleList(articles, { timeZone: tz, locale: lang, startNumber, maxUnits: 3800 });
  return `${header}\n${list}`;
}

/** Renders one page of a query's results, with a "more" button when there is more. */
async function answerQuery(deps: QueryDeps, ctx: NewsdeskContext, query: string, offset: number, queryId?: string) {
  const result = queryArticles(deps.index, deps.topics(), query, { offset, limit: PAGE });
  if (result.total === 0 || result.hits.length === 0) {
    return { text: ctx.m.searchEmpty({ query }), markup: undefined };
  }
  const header =
    result.mode === "topic" && result.topic
      ? ctx.m.topicResultsHeader({ topic: topicName(result.topic, ctx.lang), total: result.total })
      : ctx.m.searchHeader({ query, total: result.total });
  const text = listText(header, result.hits.map((h) => h.article), ctx.lang, deps.timeZone, offset + 1);
  const next = offset + PAGE;
  if (next >= result.total) return { text, markup: undefined };
  const id = queryId ?? randomBytes(6).toString("base64url");
  if (!queryId) await deps.queries.set(id, query, QUERY_TTL_MS);
  return { text, markup: Markup.inlineKeyboard([Markup.button.callback(ctx.m.moreButton(), `q:${id}:${next}`)]).reply_markup };
}

/** Answers a query with the first page of results (plain text, /search, and the tip line's "search instead"). */
export async function replyQuery(deps: QueryDeps, ctx: NewsdeskContext, query: string): Promise<void> {
  const q = truncateText(query.trim(), MAX_QUERY_UNITS, { ellipsis: "", boundary: "character" });
  if (!q) {
    await ctx.reply(ctx.m.searchUsage());
    return;
  }
  const { text, markup } = await answerQuery(deps, ctx, q, 0);
  await ctx.reply(text, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, reply_markup: markup });
}

/** `/latest [n]`, `/topic` and `/search <words>`, the "more" button, and inline mode. */
export function queryCommands(deps: QueryDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();

  c.command("latest", async (ctx) => {
    const n = Math.min(MAX_LATEST, Math.max(1, Number.parseInt(ctx.payload, 10) || PAGE));
    const articles = deps.index.latest({ limit: n });
    if (articles.length === 0) {
      await ctx.reply(ctx.m.latestEmpty());
      return;
    }
    await ctx.reply(listText(ctx.m.latestHeader(), articles, ctx.lang, deps.timeZone, 1), {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
  });

  c.command(["topic", "search"], (ctx) => replyQuery(deps, ctx, ctx.payload));

  c.action(/^q:/, async (ctx) => {
    const parsed = MoreSchema.safeParse("data" in ctx.callbackQuery ? ctx.callbackQuery.data : undefined);
    const [, id, offsetText] = parsed.success ? (/^q:([^:]+):(\d+)$/.exec(parsed.data) ?? []) : [];
    const query = id ? await deps.queries.get(id) : undefined;
    if (!id || !query) {
      await ctx.answerCbQuery(ctx.m.queryExpired(), { show_alert: true });
      return;
    }
    const { text, markup } = await answerQuery(deps, ctx, query, Number(offsetText), id);
    await ctx.answerCbQuery();
    await ctx.editMessageText(text, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, reply_markup: markup });
  });

  c.on("inline_query", async (ctx) => {
    const query = truncateText(ctx.inlineQuery.query.trim(), MAX_QUERY_UNITS, { ellipsis: "", boundary: "character" });
    const offset = Math.max(0, Number.parseInt(ctx.inlineQuery.offset, 10) || 0);
    const limit = 20;
    const hits = query
      ? queryArticles(deps.index, deps.topics(), query, { offset, limit }).hits.map((h) => h.article)
      : deps.index.latest({ offset, limit });
    // Archived with its summary; one that expired meanwhile is left out.
    const articles = (await Promise.all(hits.map((a) => deps.archive.get(a.id)))).filter((a) => a !== undefined);
    const results: InlineQueryResult[] = articles.map((a) => inlineResult(a, ctx.lang, ctx.m, deps.timeZone));
    await ctx.answerInlineQuery(results, {
      cache_time: 60,
      is_personal: false,
      next_offset: hits.length === limit ? String(offset + limit) : "",
    });
  });

  return c;
}

/** Plain text in a private chat is a search (placed after the tip line, which takes text while a tip is open). */
export function plainTextSearch(deps: QueryDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.on("text", async (ctx, next) => {
    if (ctx.chat.type !== "private" || ctx.message.text.startsWith("/")) return next();
    await replyQuery(deps, ctx, ctx.message.text);
  });
  return c;
}

function inlineResult(a: Article, lang: Lang, m: Messages, tz: string): InlineQueryResult {
  const formatted = formatArticle({ ...a, imageUrl: undefined }, [], {
    labels: { readMore: m.readMore(), related: m.related() },
    timeZone: tz,
    locale: lang,
  });
  const text = formatted.kind === "text" ? formatted.text : formatted.caption;
  return {
    type: "article",
    id: createHash("sha1").update(a.id).digest("base64url").slice(0, 32),
    title: truncateText(a.title, TELEGRAM_LIMITS.inlineResultLine) || "…",
    description: truncateText([a.source, formatDate(a.publishedAt, tz, lang)].filter(Boolean).join(" · "), TELEGRAM_LIMITS.inlineResultLine),
    ...(a.imageUrl?.startsWith("https://") ? { thumbnail_url: a.imageUrl } : {}),
    input_message_content: { message_text: text, parse_mode: "HTML", link_preview_options: { is_disabled: false } },
  };
}
