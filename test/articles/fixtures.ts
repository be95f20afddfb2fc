import type { Article } from "../../src/articles/article.js";

const T0 = Date.UTC(2024, 1, 1);
const HOUR_MS = 3_600_000;

let seq = 0;

/** A minimal article; `hour` sets publishedAt hours after a fixed epoch. */
export function art(title: string, opts: Partial<Article> & { hour?: number } = {}): Article {
  const n = ++seq;
  const { hour, ...rest } = opts;
  const at = T0 + (hour ?? n) * HOUR_MS;
  return {
    id: `f:${n}`,
    feedId: "f",
    source: "Test",
    title,
    link: `https://news.example/${n}`,
    summary: "",
    categories: [],
    publishedAt: at,
    firstSeenAt: at,
    topics: [],
    ...rest,
  };
}

export { T0, HOUR_MS };
