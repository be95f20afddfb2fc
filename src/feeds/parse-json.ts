import { z } from "zod";
import { FeedError } from "./errors.js";
import type { RawFeed, RawItem } from "./parse.js";

const JsonAuthor = z.object({ name: z.string().optional() }).loose();
const JsonItem = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    url: z.string().optional(),
    external_url: z.string().optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    summary: z.string().optional(),
    image: z.string().optional(),
    banner_image: z.string().optional(),
    date_published: z.string().optional(),
    date_modified: z.string().optional(),
    author: JsonAuthor.optional(),
    authors: z.array(JsonAuthor).optional(),
    tags: z.array(z.string()).optional(),
    attachments: z.array(z.object({ url: z.string(), mime_type: z.string().optional() }).loose()).optional(),
  })
  .loose();
/** JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1), lenient about optional fields; `version` may be the URL or "1", "1.0", "1.1". */
export const JsonFeedSchema = z
  .object({
    version: z.string().regex(/jsonfeed\.org\/version\/1|^\s*1(?:\.\d+)?\s*$/),
    title: z.string().optional(),
    home_page_url: z.string().optional(),
    feed_url: z.string().optional(),
    author: JsonAuthor.optional(),
    authors: z.array(JsonAuthor).optional(),
    items: z.array(JsonItem),
  })
  .loose();

type Authored = { author?: { name?: string | undefined } | undefined; authors?: Array<{ name?: string | undefined }> | undefined };
const nameOf = (x: Authored): string | undefined => (x.authors?.find((a) => a.name?.trim())?.name ?? x.author?.name)?.trim() || undefined;

/** Parses JSON Feed text; feed-level authors are inherited by items without their own (spec 1.1). */
export function parseJson(text: string): RawFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FeedError("not-a-feed", "invalid JSON", { cause: err });
  }
  const parsed = JsonFeedSchema.safeParse(data);
  if (!parsed.success) throw new FeedError("not-a-feed", "JSON is not a JSON Feed 1.x");
  const feed: RawFeed = { format: "json", bases: [], items: [] };
  if (parsed.data.title) feed.title = parsed.data.title;
  if (parsed.data.home_page_url) feed.link = parsed.data.home_page_url;
  const feedAuthor = nameOf(parsed.data);
  for (const it of parsed.data.items) {
    const item: RawItem = { categories: it.tags ?? [], images: [] };
    if (it.id !== undefined && String(it.id).trim()) item.guid = String(it.id).trim();
    if (it.title) item.title = it.title;
    const link = it.url ?? it.external_url;
    if (link) item.link = link;
    const summary = it.summary ?? it.content_text;
    if (summary) item.summaryText = summary;
    if (it.content_html) item.contentHtml = it.content_html;
    const date = it.date_published ?? it.date_modified;
    if (date) item.date = date;
    const author = nameOf(it) ?? feedAuthor;
    if (author) item.author = author;
    for (const url of [it.image, it.banner_image]) if (url) item.images.push(url);
    for (const a of it.attachments ?? []) if (a.mime_type?.startsWith("image/")) item.images.push(a.url);
    feed.items.push(item);
  }
  return feed;
}
