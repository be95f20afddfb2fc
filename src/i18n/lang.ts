/** Languages of the bot's own words. */
export const LANGS = ["zh-CN", "en"] as const;
export type Lang = (typeof LANGS)[number];

/** `/lang zh`, `/lang en`, `中文`, `English`… → a Lang, or null when not understood. */
export function parseLang(input: string): Lang | null {
  const s = input.trim().toLowerCase();
  if (["zh", "zh-cn", "zh_cn", "cn", "chinese", "中文", "简体中文", "汉语"].includes(s)) return "zh-CN";
  if (["en", "en-us", "en-gb", "english", "英文", "英语"].includes(s)) return "en";
  return null;
}

/** Telegram's `language_code` of a user → our language, or the fallback when there is none. */
export function langFromUserCode(code: string | undefined, fallback: Lang): Lang {
  if (!code) return fallback;
  return code.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}
