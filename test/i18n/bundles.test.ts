import { describe, expect, it } from "vitest";
import { core } from "../../src/i18n/core.js";
import { messages, parseLang, langFromUserCode } from "../../src/i18n/index.js";
import { newsroom } from "../../src/i18n/newsroom.js";
import { reading } from "../../src/i18n/reading.js";
import { tips } from "../../src/i18n/tips.js";
import { parseTelegramHtml } from "../support/telegram-html.js";

const bundles = { core, reading, tips, newsroom };
/** Labels used only where Telegram takes plain text (buttons, callback answers, forum topic names): never sent as HTML. */
const PLAIN_TEXT_KEYS = ["topicButton", "toggledOn", "toggledOff", "tipDeskBlockedToast", "tipDeskStatusToast", "tipDeskStatusUnchanged", "tipTopicName"];

describe("i18n bundles", () => {
  it("have the same keys in zh-CN and en", () => {
    for (const [name, b] of Object.entries(bundles)) {
      expect(Object.keys(b["zh-CN"]).sort(), name).toEqual(Object.keys(b.en).sort());
    }
  });

  it("never define the same key twice (a later bundle would silently win)", () => {
    const seen = new Map<string, string>();
    for (const [name, b] of Object.entries(bundles)) {
      for (const key of Object.keys(b.en)) {
        expect(seen.get(key), `${key} in ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
  });

  it("produce valid Telegram HTML even with hostile parameters (except plain-text button and alert labels)", () => {
    const failures: string[] = [];
    const hostile = '<b>&amp; "x" <script>';
    for (const lang of ["zh-CN", "en"] as const) {
      const m = messages(lang) as unknown as Record<string, (p: Record<string, unknown>) => string>;
      for (const [key, fn] of Object.entries(m)) {
        const params = new Proxy({}, {
          get: (_t, prop) => {
            const name = String(prop);
            if (name === "status") return "checking"; // a typed enum
            if (name === "link") return 'https://t.me/c/1/2?q=<b>&"'; // a URL the code built, still escaped
            return /^(count|total|failures|active|inactive|today|indexed|pending|sent|failed|dead|lag|rateLimited|items|polled|ok|notModified|fresh|chatId|n)$|Days$|Hours$|^max/.test(name) ? 3 : hostile;
          },
        });
        let out: string;
        try {
          out = fn(params);
        } catch {
          continue; // takes structured parameters (lists, records): covered by its feature's tests
        }
        expect(typeof out, key).toBe("string");
        const check = parseTelegramHtml(out);
        if (!check.ok) failures.push(key);
      }
    }
    expect([...new Set(failures)].sort()).toEqual([...PLAIN_TEXT_KEYS].sort());
  });

  it("parse language choices and user language codes", () => {
    expect(parseLang("zh")).toBe("zh-CN");
    expect(parseLang("English")).toBe("en");
    expect(parseLang("fr")).toBeNull();
    expect(langFromUserCode("zh-hans", "en")).toBe("zh-CN");
    expect(langFromUserCode("ru", "zh-CN")).toBe("en");
    expect(langFromUserCode(undefined, "zh-CN")).toBe("zh-CN");
  });
});
