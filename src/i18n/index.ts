import { core } from "./core.js";
import { tips } from "./tips.js";
import { newsroom } from "./newsroom.js";
import { reading } from "./reading.js";
import type { Lang } from "./lang.js";

export type { Lang } from "./lang.js";
export { LANGS, parseLang, langFromUserCode } from "./lang.js";

/**
 * Every reader-visible string, per language. Feature bundles are merged here so that a missing
 * translation is a type error rather than a blank message.
 */
const bundles = {
  en: { ...core.en, ...reading.en, ...tips.en, ...newsroom.en },
  "zh-CN": { ...core["zh-CN"], ...reading["zh-CN"], ...tips["zh-CN"], ...newsroom["zh-CN"] },
} satisfies Record<Lang, unknown>;

export type Messages = (typeof bundles)["en"];

/** The messages of one language. */
export function messages(lang: Lang): Messages {
  return bundles[lang];
}
