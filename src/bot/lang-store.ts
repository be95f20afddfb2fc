import type Keyv from "keyv";
import { LANGS, type Lang } from "../i18n/index.js";
import type { LangStore } from "./bot.js";

/** Chat language choices in their own keyv namespace. */
export function keyvLangStore(kv: Keyv<string>): LangStore {
  return {
    async get(chatId) {
      const v = await kv.get(String(chatId));
      return LANGS.find((l) => l === v);
    },
    async set(chat, lang: Lang) {
      await kv.set(String(chat.id), lang);
    },
  };
}
