// setMyCommands / getMyCommands / deleteMyCommands with BotCommandScope and language_code, as the
// Bot API documents them (https://core.telegram.org/bots/api#botcommandscope), and the order in
// which Telegram picks the list a user sees ("Determining list of commands").
import { badRequest } from "./errors.js";
import { numberParam } from "./context.js";
import type { Handler, MethodContext } from "./context.js";
import type { ChatStore } from "./state.js";
import type { Params } from "./types.js";

/** A BotCommand as the double keeps it. */
export interface BotCommand {
  command: string;
  description: string;
}

/** A scope after validation: chat ids resolved to numbers. */
export type Scope =
  | { type: "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators" }
  | { type: "chat" | "chat_administrators"; chatId: number }
  | { type: "chat_member"; chatId: number; userId: number };

const GLOBAL_TYPES = new Set(["default", "all_private_chats", "all_group_chats", "all_chat_administrators"]);

/** The map key of one scope and language, exactly as Telegram keeps the lists apart. */
export function scopeKey(scope: Scope, lang: string): string {
  const chatId = "chatId" in scope ? scope.chatId : null;
  const userId = "userId" in scope ? scope.userId : null;
  return JSON.stringify([scope.type, chatId, userId, lang]);
}

/** Validates `scope` the way Telegram does: known type, the fields that type needs, a chat the bot knows. */
export function parseScope(raw: unknown, store: ChatStore): Scope {
  if (raw === undefined) return { type: "default" };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("can't parse BotCommandScope JSON object");
  const scope = raw as { type?: unknown; chat_id?: unknown; user_id?: unknown };
  const type = typeof scope.type === "string" ? scope.type : "";
  if (GLOBAL_TYPES.has(type)) return { type: type as "default" };
  if (type !== "chat" && type !== "chat_administrators" && type !== "chat_member") throw badRequest("can't parse BotCommandScope: wrong type");
  const chatId = store.resolveChatId(scope.chat_id);
  // A group that became a supergroup answers with its new id, as sends do.
  if (store.migrated.has(chatId)) store.checkWritable(chatId);
  // A chat the bot has never been in (or a user who never started it) does not exist for the bot.
  if (!store.knows(chatId)) throw badRequest("chat not found");
  const chatType = store.chat(chatId).type;
  if (type === "chat") return { type, chatId };
  if (chatType === "private" || chatType === "channel") throw badRequest("BOT_COMMAND_SCOPE_INVALID");
  if (type === "chat_administrators") return { type, chatId };
  const userId = numberParam(scope.user_id);
  if (userId === undefined || !Number.isInteger(userId) || userId <= 0) throw badRequest("invalid user_id specified");
  return { type, chatId, userId };
}

/** "" (every language) or a two-letter ISO 639-1 code. */
function languageParam(params: Params): string {
  const lang = params.language_code;
  if (lang === undefined || lang === "") return "";
  if (typeof lang !== "string" || !/^[a-z]{2}$/.test(lang)) throw badRequest("invalid language code specified");
  return lang;
}

function keyOf(params: Params, ctx: MethodContext): string {
  const scope = parseScope(params.scope, ctx.store);
  return scopeKey(scope, languageParam(params));
}

const setMyCommands: Handler = (params, ctx) => {
  const commands = params.commands;
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  if (commands.length > 100) throw badRequest("too many commands specified");
  for (const entry of commands as Params[]) {
    const { command, description } = entry;
    if (typeof command !== "string" || !/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    if (typeof description !== "string" || description.trim().length < 1 || description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
  }
  const key = keyOf(params, ctx);
  const list = (commands as Params[]).map((c) => ({ command: c.command as string, description: c.description as string }));
  // An empty list is the same as deleting the scope's list (the next scope down applies again).
  if (list.length === 0) ctx.store.commands.delete(key);
  else ctx.store.commands.set(key, list);
  return true;
};

const getMyCommands: Handler = (params, ctx) => ctx.store.commands.get(keyOf(params, ctx)) ?? [];

const deleteMyCommands: Handler = (params, ctx) => {
  ctx.store.commands.delete(keyOf(params, ctx));
  return true;
};

/** The command methods. */
export const commandHandlers: Record<string, Handler> = { setMyCommands, getMyCommands, deleteMyCommands };

/**
 * The list Telegram shows `userId` in `chatId` for a client in `languageCode` (e.g. "en", "zh-hans"):
 * the first scope in the documented order that has a list, the language-specific one before the
 * general one at each step. Administrator scopes apply only to the chat's admins.
 */
export function commandsShown(store: ChatStore, chatId: number, userId: number, languageCode = ""): BotCommand[] {
  const lang = languageCode.slice(0, 2).toLowerCase();
  const chat = store.chat(chatId);
  const isAdmin = (store.admins.get(chatId) ?? []).includes(userId);
  const order: Scope[] =
    chat.type === "private"
      ? [{ type: "chat", chatId }, { type: "all_private_chats" }, { type: "default" }]
      : [
          { type: "chat_member", chatId, userId },
          ...(isAdmin ? [{ type: "chat_administrators" as const, chatId }] : []),
          { type: "chat", chatId },
          ...(isAdmin ? [{ type: "all_chat_administrators" as const }] : []),
          { type: "all_group_chats" },
          { type: "default" },
        ];
  for (const scope of order) {
    for (const code of lang === "" ? [""] : [lang, ""]) {
      const list = store.commands.get(scopeKey(scope, code));
      if (list) return list as BotCommand[];
    }
  }
  return [];
}
