import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Update } from "telegraf/types";
import type { ApiCall } from "../support/bot-api-double.js";
import { command, inlineQuery, user } from "../support/updates.js";
import { startHarness, type Harness } from "../e2e/harness.js";

// Telegram's limits as the Bot API double applies them: 4096 units of message text, valid UTF-8
// (half a surrogate pair is refused) in every string, inline answers refused as a whole.
const STAFF = user({ id: 5301, first_name: "Editor", language_code: "en" });
const READER = user({ id: 5302, first_name: "Reader", language_code: "en" });
const EMOJI = "😀";
const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("replies that echo readers' text stay within Telegram's limits (the real app)", () => {
  let h: Harness;
  const answerTo = async (update: Update, match: (c: ApiCall) => boolean): Promise<ApiCall> => {
    const from = h.double.calls.length;
    h.double.pushUpdate(update);
    return h.double.waitFor((c) => h.double.calls.indexOf(c) >= from && match(c));
  };
  const sendTo = (id: number) => (c: ApiCall) =>
    c.method === "sendMessage" && Number(c.params.chat_id) === id;

  beforeAll(async () => {
    h = await startHarness({
      admins: [STAFF.id],
      items: (clock) => [
        {
          guid: "long-title",
          // 199 units, then an emoji across the 200-unit cap of an inline result title.
          title: `${"Harbour ".repeat(24)}abcdefg${EMOJI} tail`,
          link: "https://news.example.com/a/long.html",
          description: "The harbour ferry runs a new timetable.",
          pubDate: new Date(clock.now() - 3600_000),
        },
        {
          guid: "plain",
          title: "Harbour ferry timetable",
          link: "https://news.example.com/a/plain.html",
          description: "The harbour ferry runs a new timetable.",
          pubDate: new Date(clock.now() - 7200_000),
        },
      ],
    });
    await h.app.scheduler.pollAll();
  });
  afterAll(() => h.close());

  it("/search of 199 characters and an emoji is answered, the query cut before the emoji", async () => {
    const query = `${"q".repeat(199)}${EMOJI}`;
    const call = await answerTo(command(READER, `/search ${query}`), sendTo(READER.id));
    expect(call.ok).toBe(true);
    expect(String(call.params.text)).toContain("q".repeat(199));
    expect(String(call.params.text)).not.toMatch(LONE);
  });

  it("/subscribe with a 4,080-character argument is answered within 4096 units", async () => {
    const call = await answerTo(command(READER, `/subscribe ${"z".repeat(4080)}`), sendTo(READER.id));
    expect(call.ok).toBe(true);
    expect(String(call.params.text)).toMatch(/There is no topic “z+…”/);
  });

  it("/broadcast confirmation of 3,499 characters and an emoji is accepted", async () => {
    const call = await answerTo(command(STAFF, `/broadcast ${"b".repeat(3499)}${EMOJI}`), sendTo(STAFF.id));
    expect(call.ok).toBe(true);
    expect(String(call.params.text)).toContain(`${"b".repeat(3490)}`);
    expect(String(call.params.text)).not.toMatch(LONE);
  });

  it("an article whose title crosses the inline title cap inside an emoji does not break the inline answer", async () => {
    const call = await answerTo(inlineQuery(READER, ""), (c) => c.method === "answerInlineQuery");
    expect(call.ok).toBe(true);
    const results = call.params.results as Array<{ title: string; description?: string }>;
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r.title.length).toBeLessThanOrEqual(200);
      expect(r.title).not.toMatch(LONE);
    }
    expect(results.some((r) => r.title.endsWith("…"))).toBe(true);
  });
});
