import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FeedItem {
  guid: string;
  title: string;
  link: string;
  description: string;
  pubDate: Date;
  imageUrl?: string;
}

/** A local RSS server whose items tests change between polls. */
export interface FeedServer {
  url(path?: string): string;
  items: FeedItem[];
  /** HTTP status to answer with instead of the feed (e.g. 500), or null. */
  failWith: number | null;
  requests: number;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function rss(items: FeedItem[], title = "Test Daily"): string {
  const body = items
    .map(
      (i) => `<item><guid>${esc(i.guid)}</guid><title>${esc(i.title)}</title><link>${esc(i.link)}</link>` +
        `<description>${esc(i.description)}</description><pubDate>${i.pubDate.toUTCString()}</pubDate>` +
        (i.imageUrl ? `<enclosure url="${esc(i.imageUrl)}" type="image/jpeg" length="1"/>` : "") +
        `</item>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${esc(title)}</title><link>https://news.example.com/</link>${body}</channel></rss>`;
}

export async function startFeedServer(initial: FeedItem[] = []): Promise<FeedServer> {
  const state: FeedServer = {
    items: [...initial],
    failWith: null,
    requests: 0,
    url: () => "",
    close: () => Promise.resolve(),
  };
  const server: Server = createServer((req, res) => {
    state.requests++;
    if (state.failWith !== null) {
      res.writeHead(state.failWith).end("failure");
      return;
    }
    res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(rss(state.items));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  state.url = (path = "/feed.xml") => `http://127.0.0.1:${port}${path}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
