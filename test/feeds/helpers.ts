import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Bytes of a fixture under test/fixtures/feeds. */
export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/feeds/${name}`, import.meta.url)));
}

/** Fixed clock reading used by tests: 2024-03-10T00:00:00Z. */
export const NOW_MS = Date.UTC(2024, 2, 10);

/** Minimal RSS 2.0 document around the given items. */
export function rss(items: Array<{ title: string; link?: string; guid?: string; date?: string }>, prolog = '<?xml version="1.0" encoding="UTF-8"?>'): string {
  const body = items
    .map(
      (it) =>
        `<item><title>${it.title}</title>${it.link ? `<link>${it.link}</link>` : ""}${it.guid ? `<guid>${it.guid}</guid>` : ""}${it.date ? `<pubDate>${it.date}</pubDate>` : ""}</item>`,
    )
    .join("\n");
  return `${prolog}\n<rss version="2.0"><channel><title>T</title><link>https://site.example/</link>\n${body}\n</channel></rss>\n`;
}
