import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Message } from "telegraf/types";
import { NS } from "../../src/store/keys.js";
import type { SentMessage } from "../support/bot-api-double.js";
import { startFeedServer, type FeedServer } from "../support/feed-server.js";
import { callbackQuery, channel, channelPost, command, document, forwarded, groupCommand, user } from "../support/updates.js";
import { startHarness, until, type Harness } from "./harness.js";

const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const editor = user({ id: 9501, first_name: "Editor", language_code: "en" });
const outsider = user({ id: 9503, first_name: "Outsider", language_code: "en" });
const reader = user({ id: 9504, first_name: "Reader", language_code: "en" });
const POLL = "{ schedule: '0 0 1 1 *', atStart: false, allowHosts: ['127.0.0.1'] }";

const open: Array<Harness | FeedServer> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ poll: POLL, ...opts });
  open.push(h);
  return h;
}

async function feedServer(h: Harness, ...titles: string[]): Promise<FeedServer> {
  const server = await startFeedServer(titles.map((t, i) => h.item(100 + i, t, `${t}。`, 600)));
  open.push(server);
  return server;
}

/** Pushes a staff command into the newsroom and returns the bot's first answer there. */
async function inNewsroom(h: Harness, text: string, from = editor): Promise<SentMessage> {
  const before = h.double.sent(NEWSROOM).length;
  h.double.pushUpdate(groupCommand(room, from, text));
  await until(() => h.double.sent(NEWSROOM).length > before, 15_000, `answer to ${text}`);
  return h.double.sent(NEWSROOM)[before]!;
}

/** Taps a button of a message the bot sent in the newsroom; resolves once the message was edited. */
async function tap(h: Harness, sent: SentMessage, index = 0, from = editor): Promise<SentMessage> {
  const data = buttonData(sent)[index]!;
  h.double.pushUpdate(callbackQuery(from, data, sent.message));
  await until(() => h.double.sent(NEWSROOM).find((m) => m.messageId === sent.messageId)!.edited, 15_000, `edit after ${data}`);
  return h.double.sent(NEWSROOM).find((m) => m.messageId === sent.messageId)!;
}

function buttonData(sent: SentMessage): string[] {
  const markup = sent.replyMarkup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
}

/** The raw records of chat edits in the store (none: nothing was changed from chat). */
async function feedsOf(h: Harness): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const [, record] of h.app.store.entries(NS.feedRegistry)) records.push(record);
  return records;
}

const registryList = (h: Harness) => h.app.feedRegistry.list();

/** Sends a document into the newsroom and returns the bot's answer. */
async function sendDocument(h: Harness, content: string | Buffer, fileName: string, from = editor): Promise<SentMessage> {
  const file = h.double.putFile(content, { fileName });
  const before = h.double.sent(NEWSROOM).length;
  h.double.pushUpdate(document(from, { chat: room, fileId: file.file_id, file_name: fileName, file_size: file.file_size, mime_type: "text/x-opml" }));
  await until(() => h.double.sent(NEWSROOM).length > before, 15_000, `answer to ${fileName}`);
  return h.double.sent(NEWSROOM)[before]!;
}

describe("managing feeds from the newsroom", () => {
  it("staff add a feed in chat: preview, confirm, backlog archived, its next article reaches a subscriber; it survives a restart; /export names it; /pausefeed stops its polls", async () => {
    const h = await harness();
    const added = await feedServer(h, "Old solar story from the backlog");
    h.double.pushUpdate(command(reader, "/subscribe energy"));
    await until(() => h.double.sent(reader.id).length === 1);

    const preview = await inNewsroom(h, `/addfeed ${added.url()} energy`);
    expect(preview.text).toContain("Test Daily");
    expect(preview.text).toContain(added.url());
    expect(preview.text).toContain("1 item · encoding utf-8 · topics: energy");
    const [yes] = buttonData(preview);
    expect(buttonData(preview)).toEqual([expect.stringMatching(/^fd:[\w-]+:y$/), expect.stringMatching(/^fd:[\w-]+:n$/)]);
    expect(await feedsOf(h)).toEqual([]);

    const done = await tap(h, preview);
    expect(done.text).toContain("Feed Test Daily added as 127-0-0-1");
    expect(done.replyMarkup).toBeUndefined();
    // A second tap on the same button (a double tap) does nothing more.
    h.double.pushUpdate(callbackQuery(editor, yes!, preview.message));
    await h.double.waitFor((c) => c.method === "answerCallbackQuery" && typeof c.params.text === "string" && c.params.text.includes("expired"));
    expect(await feedsOf(h)).toHaveLength(1);

    // Its first poll runs on adding: the backlog is archived, nothing delivered; then a new article goes out.
    await until(() => added.requests >= 2, 15_000, "the first poll on adding (after the preview's fetch)");
    await h.app.scheduler.pollAll(); // joins or follows that round
    await h.app.delivery.whenIdle();
    expect(h.deliveries(reader.id, "Old solar story")).toHaveLength(0);
    added.items.unshift(h.item(200, "New solar plant opens", "The solar plant opened today.", 1));
    await h.app.scheduler.pollAll();
    await until(() => h.deliveries(reader.id, "New solar plant opens").length === 1, 15_000, "delivery of the new article");

    await h.restart(h.clock.now() + 60_000);
    const feeds = await inNewsroom(h, "/feeds");
    expect(feeds.text).toContain("Feeds (2)");
    expect(feeds.text).toMatch(/🟢 Test Daily: last ok .+, 2 items, next .+ · 127-0-0-1/);

    const exported = await inNewsroom(h, "/export");
    expect(exported).toMatchObject({ method: "sendDocument", kind: "document", text: "2 feeds as OPML 2.0, topics as categories. Send this file to the newsroom to import it." });
    const opml = h.double.fileContent((exported.message as Message.DocumentMessage).document.file_id)!.toString("utf8");
    expect(opml).toContain('<opml version="2.0"');
    expect(opml).toContain(`xmlUrl="${added.url()}"`);
    expect(opml).toMatch(/text="Test Daily"[^>]*category="energy"[^>]*newsdesk:id="127-0-0-1"/);
    expect((exported.message as Message.DocumentMessage).document.file_name).toMatch(/^newsdesk-feeds-\d{4}-\d\d-\d\d\.opml$/);

    const paused = await inNewsroom(h, "/pausefeed 127-0-0-1");
    expect(paused.text).toBe("⏸ Feed Test Daily paused: it is not polled until /resumefeed 127-0-0-1.");
    const requests = added.requests;
    const round = await h.app.scheduler.pollAll();
    expect(round.polled).toBe(1);
    expect(added.requests).toBe(requests);
    expect((await inNewsroom(h, "/feeds")).text).toMatch(/⏸ Test Daily: paused, last ok .+ · 127-0-0-1/);
    expect((await inNewsroom(h, "/resumefeed 127-0-0-1")).text).toContain("resumed");
    await h.app.scheduler.pollAll();
    expect(added.requests).toBe(requests + 1);
  });

  it("export → import into a fresh store gives the same feeds (ids, URLs, names, topics, paused)", async () => {
    const h = await harness();
    const extra = await feedServer(h, "Travel backlog story");
    await tap(h, await inNewsroom(h, `/addfeed ${extra.url()} travel energy`));
    await inNewsroom(h, "/pausefeed local");
    const exported = await inNewsroom(h, "/export");
    const opml = h.double.fileContent((exported.message as Message.DocumentMessage).document.file_id)!;
    const project = (list: Array<{ id: string; url: string; name: string; topics: string[]; paused: boolean }>) =>
      list.map(({ id, url, name, topics, paused }) => ({ id, url, name, topics, paused }));
    const original = project(await registryList(h));

    const fresh = await harness({ feeds: () => "[]" });
    const preview = await sendDocument(fresh, opml, "feeds.opml");
    expect(preview.text).toBe("OPML import: 测试日报 feeds\n2 feeds to add, 0 already here, 0 invalid.");
    expect(buttonData(preview)).toHaveLength(2);
    expect(await feedsOf(fresh)).toEqual([]);
    const done = await tap(fresh, preview);
    expect(done.text).toBe("✅ Imported 2 feeds. Their current items are being archived now; newer articles go to subscribers.");
    expect(project(await registryList(fresh))).toEqual(original);
    expect(original).toEqual([
      { id: "local", url: h.feed.url(), name: "威海日报", topics: [], paused: true },
      { id: "127-0-0-1", url: extra.url(), name: "Test Daily", topics: ["travel", "energy"], paused: false },
    ]);

    // The same file again: everything is already there, so there is nothing to confirm.
    const again = await sendDocument(fresh, opml, "feeds.opml");
    expect(again.text).toContain("0 feeds to add, 2 already here, 0 invalid.");
    expect(buttonData(again)).toEqual([]);
  });

  it("imports list invalid entries and keep the valid ones; refuse DOCTYPEs, non-OPML and files over the cap; cancel changes nothing", async () => {
    const h = await harness({ feeds: () => "[]" });
    const opml = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mixed &lt;bag&gt;</title></head><body>
  <outline text="Energy">
    <outline type="rss" text="Solar &lt;b&gt;Daily&lt;/b&gt;" xmlUrl="https://solar.example/rss"/>
  </outline>
  <outline type="rss" text="Broken" xmlUrl="ftp://x.example/feed"/>
  <outline type="rss" text="Intranet" xmlUrl="http://10.1.2.3/feed"/>
  <outline type="rss" text="Nothing"/>
</body></opml>`;
    const preview = await sendDocument(h, opml, "mixed.xml");
    expect(preview.text).toBe(
      "OPML import: Mixed <bag>\n1 feeds to add, 0 already here, 3 invalid.\n• Broken: not an http(s) URL\n• Nothing: no feed URL (xmlUrl)\n• Intranet: an internal address (see poll.allowHosts)",
    );
    expect((await tap(h, preview, 1)).text).toBe("Cancelled; nothing was changed.");
    expect(await feedsOf(h)).toEqual([]);

    const again = await sendDocument(h, opml, "mixed.opml");
    await tap(h, again);
    expect(await registryList(h)).toEqual([expect.objectContaining({ url: "https://solar.example/rss", name: "Solar <b>Daily</b>", topics: ["energy"] })]);

    const bomb = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaaaaaaaa">]><opml version="2.0"><body><outline text="&a;" xmlUrl="https://b.example/rss"/></body></opml>`;
    expect((await sendDocument(h, bomb, "bomb.opml")).text).toBe("This is not an OPML file I can read: documents with a DOCTYPE are refused.");
    expect((await sendDocument(h, "<rss version='2.0'><channel/></rss>", "feed.xml")).text).toBe("This is not an OPML file I can read: it is XML, but not OPML.");
    expect((await sendDocument(h, Buffer.alloc(1024 * 1024 + 1, 32), "huge.opml")).text).toBe("This file is too large for an OPML import (at most 1024 KB).");
    expect(h.double.calls.filter((c) => c.method === "downloadFile")).toHaveLength(4);
    expect(await registryList(h)).toHaveLength(1);
  });

  it("answers bad URLs, non-feeds, unknown topics, duplicates and unknown ids clearly; garbage buttons get an alert", async () => {
    const h = await harness();
    const page = await startFeedServer([]);
    open.push(page);
    expect((await inNewsroom(h, "/addfeed")).text).toBe("Usage: /addfeed URL [topic…], e.g. /addfeed https://example.com/rss energy");
    expect((await inNewsroom(h, "/addfeed ftp://files.example/feed")).text).toMatch(/^Could not add ftp:\/\/files\.example\/feed: not an address I may fetch/);
    expect((await inNewsroom(h, `/addfeed ${h.feed.url()}`)).text).toBe("This feed is already here: 威海日报 (local).");
    expect((await inNewsroom(h, `/addfeed ${page.url("/x")} sports`)).text).toBe("Unknown topic: sports. Topics: energy, travel.");
    page.failWith = 404;
    expect((await inNewsroom(h, `/addfeed ${page.url("/missing.xml")}`)).text).toBe(`Could not add ${page.url("/missing.xml")}: the server answered HTTP 404.`);
    page.failWith = null;
    expect((await inNewsroom(h, `/addfeed ${page.url("/empty.xml")}`)).text).toContain("the feed has no items.");
    expect((await inNewsroom(h, "/removefeed nope")).text).toBe("There is no feed with id nope. /feeds lists the ids.");
    expect((await inNewsroom(h, "/pausefeed")).text).toBe("Usage: /pausefeed feed-id (/feeds lists the ids)");

    const anyMessage = h.double.sent(NEWSROOM).at(-1)!;
    for (const data of ["fd:%%%:y", "fd:abcdefgh:y"]) {
      h.double.pushUpdate(callbackQuery(editor, data, anyMessage.message));
    }
    await h.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.text === "This button is not valid. Send the command again.");
    await h.double.waitFor((c) => c.method === "answerCallbackQuery" && typeof c.params.text === "string" && c.params.text.startsWith("This confirmation has expired"));

    expect((await inNewsroom(h, "/removefeed local")).text).toBe("🗑 Feed 威海日报 (local) removed. It stays removed after a restart, even while the YAML lists it.");
    await h.restart(h.clock.now() + 1000);
    expect((await inNewsroom(h, "/feeds")).text).toBe("No feeds yet. Add one with /addfeed URL.");
  });

  it("non-staff change nothing: a reader, a forged forward, a channel post elsewhere; each is refused and logged", async () => {
    const h = await harness();
    const target = await feedServer(h, "Anything");
    const refusals = () => h.logs.filter((l) => l.includes("staff command refused")).length;
    for (const text of [`/addfeed ${target.url()}`, "/removefeed local", "/pausefeed local", "/export"]) {
      const before = h.double.sent(outsider.id).length;
      h.double.pushUpdate(command(outsider, text));
      await until(() => h.double.sent(outsider.id).length > before);
      expect(h.double.sent(outsider.id)[before]!.text).toBe("Sorry, this command is for newsroom staff only.");
    }
    const before = h.double.sent(outsider.id).length;
    h.double.pushUpdate(forwarded(outsider, `/addfeed ${target.url()}`, editor));
    await until(() => h.double.sent(outsider.id).length > before);
    const elsewhere = channel({ title: "Somebody's channel" });
    h.double.pushUpdate(channelPost(elsewhere, `/addfeed ${target.url()}`));
    await until(() => refusals() === 6, 15_000, "refusals logged");
    expect(target.requests).toBe(0);
    expect(await feedsOf(h)).toEqual([]);
    expect(h.double.sent(elsewhere.id)).toEqual([]);
  });
});
