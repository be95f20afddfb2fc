import { createHash } from "node:crypto";
import { z } from "zod";

/** One normalised news item, whatever feed format it came from. Stored in the archive as JSON. */
export const ArticleSchema = z.object({
  /** Stable id, unique across feeds: `${feedId}:${itemKey}` (guid → link → hash of title+date). */
  id: z.string().min(1),
  /** `feeds[].id` of the feed this came from. */
  feedId: z.string().min(1),
  /** Human name of the source shown to readers (feed's configured name, else the feed's own title). */
  source: z.string(),
  /** Plain text, no markup, entities decoded; never empty. */
  title: z.string().min(1),
  /** Absolute http(s) URL; empty string when the item had no usable link. */
  link: z.string(),
  /** Plain-text summary (HTML stripped, whitespace folded); may be empty. */
  summary: z.string(),
  author: z.string().optional(),
  /** Absolute http(s) image URL (enclosure, media:content/thumbnail, first <img>). */
  imageUrl: z.string().optional(),
  categories: z.array(z.string()).default([]),
  /** Publication time, epoch milliseconds UTC (first-seen time when the feed gave none). */
  publishedAt: z.number(),
  /** When this process first saw the item, epoch milliseconds UTC. */
  firstSeenAt: z.number(),
  /** Topic ids matched for this article (filled by topic matching, may be empty). */
  topics: z.array(z.string()).default([]),
});

export type Article = z.infer<typeof ArticleSchema>;

/**
 * An article as the search index holds it: everything but the summary, which stays in the archive
 * (at 100k articles the summaries were two thirds of the index's heap). What shows a summary reads
 * the article from the archive.
 */
export type IndexedArticle = Omit<Article, "summary">;

/** A short, URL-safe id for deep links (`/start a_<id>`, 64 characters at most): 16 characters of the id's SHA-1. */
export function articleShortId(articleId: string): string {
  // The first 12 bytes are the first 16 characters of the whole digest in base64url; encoded on
  // their own they make a flat string (a slice of the 27 would keep all 27 alive beside it).
  return createHash("sha1").update(articleId).digest().subarray(0, 12).toString("base64url");
}
