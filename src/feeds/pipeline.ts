import type { Article } from "../articles/article.js";
import { decodeFeedBytes } from "./decode.js";
import { FeedError } from "./errors.js";
import { DEFAULT_MAX_FEED_BYTES } from "./fetch.js";
import { normaliseFeed, type NormaliseContext } from "./normalise.js";
import { parseFeedText } from "./parse.js";

export interface ProcessContext extends NormaliseContext {
  /** charset from the HTTP Content-Type, if any. */
  httpCharset?: string;
  /** Cap for gzip-file expansion; default 5 MiB. */
  maxBytes?: number;
}

export interface ProcessedFeed {
  /** The feed's own title (plain text), if it had one. */
  title?: string;
  /** Encoding the bytes were decoded with. */
  encoding: string;
  articles: Article[];
}

/** Bytes → Articles: decode, parse, normalise. Throws FeedError (kind "empty" when no usable item). */
export async function processFeedBytes(bytes: Uint8Array, ctx: ProcessContext): Promise<ProcessedFeed> {
  const decoded = decodeFeedBytes(bytes, ctx.httpCharset, ctx.maxBytes ?? DEFAULT_MAX_FEED_BYTES);
  const raw = await parseFeedText(decoded.text);
  const { title, articles } = normaliseFeed(raw, ctx);
  if (articles.length === 0) throw new FeedError("empty", "feed has no usable items");
  return title ? { title, encoding: decoded.encoding, articles } : { encoding: decoded.encoding, articles };
}
