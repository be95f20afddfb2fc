import { describe, expect, it } from "vitest";
import { corpusPresent, describeChatRelated, measureChatRelated, NEWS_DIR, type ChatRelatedOptions } from "./related-chat.js";

// A modest sample keeps the suite fast; bench/search.ts --only chat runs the full size (1,500 +
// 1,000 archived, 60 new each).
const SAMPLE: ChatRelatedOptions = { zhArchived: 600, enArchived: 600, fresh: 30, split: "test" };

describe.skipIf(!corpusPresent())(`related links in delivered posts (skipped when there is no corpus at ${NEWS_DIR})`, () => {
  it("are as good through the chat as the method on the same articles, after a first poll's backlog", { timeout: 90_000 }, async () => {
    const r = await measureChatRelated(SAMPLE);
    console.log(describeChatRelated(r, SAMPLE).join("\n"));
    for (const lang of ["zh", "en"] as const) {
      expect(r.chat[lang].messages).toBe(SAMPLE.fresh);
      expect(r.chat[lang].links).toBe(3 * SAMPLE.fresh);
      expect(r.chat[lang].value).toBeGreaterThanOrEqual(r.method[lang].value - 0.02);
    }
    // The bot picks what the method picks (before issue 17 it agreed on 5 % of posts: links chosen
    // before the space trained on the backlog were word matches only).
    expect(r.agreement).toBeGreaterThanOrEqual(0.9);
    // Regression floors a little below the measured 0.422 (600 THUCNews titles are a small
    // archive: 0.62 at 1,500, 0.71 at 9,500 on dev) and 0.867.
    expect(r.chat.zh.value).toBeGreaterThanOrEqual(0.38);
    expect(r.chat.en.value).toBeGreaterThanOrEqual(0.82);
  });
});
