import type Keyv from "keyv";
import { LANGS, type Lang } from "../i18n/index.js";
import type { LangStore } from "./bot.js";
import type { ChatType } from "../chats/record.js";
import type { ChatRepo } from "../chats/repo.js";

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

/** Chat languages kept on the chat records (a chat's language is fixed when it first subscribes). */
export function chatLangs(chats: Pick<ChatRepo, "get" | "ensure" | "update">): LangStore {
  return {
    get: async (id) => (await chats.get(id))?.lang,
    set: async (chat, lang) => {
      await chats.ensure(chat.id, chat.type as ChatType);
      await chats.update(chat.id, (r) => {
        r.lang = lang;
      });
    },
  };
}
