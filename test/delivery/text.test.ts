import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainTextOfHtml, truncateHtmlSafe } from "../../src/delivery/html.js";
import { safeCut, splitText, TELEGRAM_LIMITS, truncateText } from "../../src/delivery/text.js";
import { checkMessageLength, parseTelegramHtml } from "../support/telegram-html.js";

const LONE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const THUMBS = "👍🏽"; // 4 units, one character
const FAMILY = "👨‍👩‍👧"; // 8 units, one character
const FLAG = "🇨🇳"; // 4 units, one character

describe("truncateText, the one cutting helper", () => {
  it("never splits a character made of several code points", () => {
    expect(truncateText(`${"a".repeat(5)}${THUMBS}`, 8, { boundary: "character" })).toBe("aaaaa…");
    expect(truncateText(`ab${FAMILY}cd`, 9, { boundary: "character" })).toBe("ab…");
    expect(truncateText(`ab${FAMILY}cd`, 11, { boundary: "character" })).toBe(`ab${FAMILY}…`);
    expect(truncateText(`${FLAG}${FLAG}${FLAG}`, 7)).toBe(`${FLAG}…`);
    expect(safeCut("éé".normalize("NFD"), 3)).toBe(2); // e + combining acute stay together
  });

  it("cuts a bare prefix (no ellipsis) for a search query", () => {
    const query = `${"q".repeat(199)}😀`;
    expect(truncateText(query, 200, { ellipsis: "", boundary: "character" })).toBe("q".repeat(199));
  });

  it("cuts pathological clusters (hundreds of combining marks) between code points rather than dropping them", () => {
    const zalgo = `Z${"\u0301".repeat(300)}`;
    const cut = truncateText(zalgo, 100);
    expect(cut.length).toBe(100);
    expect(cut.startsWith("Z\u0301")).toBe(true);
  });

  it.each([
    ["message text", TELEGRAM_LIMITS.messageText],
    ["caption", TELEGRAM_LIMITS.caption],
    ["callback answer", TELEGRAM_LIMITS.callbackAnswer],
    ["inline result title/description", TELEGRAM_LIMITS.inlineResultLine],
  ])("fits the %s limit (%i units) with an emoji straddling the limit", (_name, limit) => {
    const text = `${"x".repeat(limit - 1)}😀 and more`;
    const cut = truncateText(text, limit);
    expect(cut.length).toBeLessThanOrEqual(limit);
    expect(cut).not.toMatch(LONE);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("measures as Telegram's limits do: 4096 text, 1024 caption", () => {
    const text = truncateText("字😀".repeat(3000), TELEGRAM_LIMITS.messageText);
    expect(checkMessageLength(text, "text")).toBeNull();
    const caption = truncateText("字😀".repeat(3000), TELEGRAM_LIMITS.caption);
    expect(checkMessageLength(caption, "caption")).toBeNull();
  });
});

describe("truncateHtmlSafe (the HTML side of the helper)", () => {
  it("never cuts inside a tag, an entity or a character, and Telegram accepts the result", () => {
    const html = `<b>${"a&amp;".repeat(10)}</b><a href="https://x.example/">${THUMBS.repeat(10)}</a>`;
    for (let max = 0; max <= 70; max++) {
      const cut = truncateHtmlSafe(html, max);
      expect(parseTelegramHtml(cut).ok || cut === "").toBe(true);
      expect(plainTextOfHtml(cut).length).toBeLessThanOrEqual(max);
      expect(plainTextOfHtml(cut)).not.toMatch(/\uD83D\uDC4D…|\uD83D\uDC4D$/); // no thumb without its skin tone
    }
  });
});

describe("splitText", () => {
  it("splits into pieces within their budgets, at spaces, without splitting a character, losing nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("word", " ", "\n", "😀", THUMBS, FAMILY, "字"), { maxLength: 400 }),
        fc.integer({ min: 10, max: 200 }),
        fc.integer({ min: 10, max: 300 }),
        (parts, first, rest) => {
          const text = parts.join("");
          const pieces = splitText(text, first, rest);
          expect(pieces.join("")).toBe(text);
          pieces.forEach((p, i) => {
            expect(p.length).toBeLessThanOrEqual(i === 0 ? first : rest);
            expect(p).not.toMatch(LONE);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("prefers a line break or a space in the second half of the budget", () => {
    expect(splitText("alpha beta gamma delta", 12)).toEqual(["alpha beta ", "gamma delta"]);
    expect(splitText("one\ntwo three four", 12)).toEqual(["one\ntwo ", "three four"]);
  });
});
