import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { htmlToText, plainToText } from "../../src/feeds/html.js";
import { absoluteHttpUrl } from "../../src/feeds/normalise.js";

/** absoluteHttpUrl as the URL parser alone would answer: the meaning its fast path must keep. */
function reference(raw: string, base: string | undefined): string | undefined {
  const value = raw.trim();
  if (!value || value.startsWith("data:") || value.startsWith("javascript:")) return undefined;
  try {
    const absolute = /^https?:\/\//i.test(value) && (!base || URL.canParse(base));
    const url = base && !absolute ? new URL(value, base) : new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

describe("absoluteHttpUrl", () => {
  it("gives what the URL parser gives, written canonically or not (property)", () => {
    const unit = fc.constantFrom(
      "a", "z", "0", "-", ".", "..", "/", "./", "../", "%2e", "%2E", "%41", "?", "#", ":", "@", "xn--", "xn--abc", "com", "a.com", "A", "~", "_",
      "!", "$", "&", "'", "(", "*", "+", ",", ";", "=", "%", " ", "é", "[", "\\", "^", "`", "{", "|", "\"", "<", "127.0.0.1", "0x7f", "1", "www.",
      "?x=1&y=2", "/.", "/..", ":80",
    );
    const prefix = fc.constantFrom("", "https://", "http://www.example.com/", "HTTP://Example.com/", " https://a.b.co/");
    const base = fc.constantFrom(undefined, "https://site.example/dir/", "not a url");
    fc.assert(
      fc.property(prefix, fc.string({ unit, maxLength: 12 }), base, (p, rest, b) => {
        expect(absoluteHttpUrl(p + rest, b)).toBe(reference(p + rest, b));
      }),
      { numRuns: 20000 },
    );
  });
});

describe("plainToText and htmlToText with keepChars", () => {
  it("agree with the whole text on its first keepChars characters, and on whether there are more (property)", () => {
    const unit = fc.constantFrom("a", "é", "中", " ", "  ", "\n", "\t", "\u00a0", "\u2028", "<p>", "</p>", "&amp;", "&nbsp;", "\u0085", "Ã©", "😀");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 120 }), fc.integer({ min: 1, max: 40 }), (text, keep) => {
        for (const f of [plainToText, htmlToText]) {
          const whole = f(text);
          const kept = f(text, keep);
          expect(kept.slice(0, keep)).toBe(whole.slice(0, keep));
          expect(kept.length > keep).toBe(whole.length > keep);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
