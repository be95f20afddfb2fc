import type { User } from "telegraf/types";
import { commandHandlers } from "./commands.js";
import { badRequest } from "./errors.js";
import { formatText } from "./content.js";
import { numberParam } from "./context.js";
import type { Handler, MethodContext } from "./context.js";
import { targetChat } from "./send.js";
import type { Params } from "./types.js";

const ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

function idParam(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : "";
}

const QUERY_GONE = "query is too old and response timeout expired or query ID is invalid";

function userById(ctx: MethodContext, userId: number): User {
  if (userId === ctx.botUser.id) return ctx.botUser;
  return ctx.store.users.get(userId) ?? { id: userId, is_bot: false, first_name: `User ${userId}` };
}

function member(ctx: MethodContext, chatId: number, userId: number): Record<string, unknown> {
  const admins = ctx.store.admins.get(chatId) ?? [];
  const user = userById(ctx, userId);
  const index = admins.indexOf(userId);
  if (index === 0) return { status: "creator", user, is_anonymous: false };
  if (index > 0) {
    return {
      status: "administrator",
      user,
      can_be_edited: false,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: true,
      can_manage_video_chats: true,
      can_restrict_members: true,
      can_promote_members: false,
      can_change_info: true,
      can_invite_users: true,
      can_post_stories: false,
      can_edit_stories: false,
      can_delete_stories: false,
      can_pin_messages: true,
      ...(ctx.store.chat(chatId).type === "supergroup" ? { can_manage_topics: !(userId === ctx.botUser.id && ctx.store.forum.topicRightsDenied.has(chatId)) } : {}),
    };
  }
  return { status: "member", user };
}

const getChatMember: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  const userId = numberParam(params.user_id);
  if (userId === undefined) throw badRequest("invalid user_id specified");
  if (ctx.store.chat(chatId).type === "private" && userId !== chatId && userId !== ctx.botUser.id) {
    throw badRequest("user not found");
  }
  return member(ctx, chatId, userId);
};

const getChatAdministrators: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  if (ctx.store.chat(chatId).type === "private") throw badRequest("there are no administrators in the private chat");
  return (ctx.store.admins.get(chatId) ?? []).map((id) => member(ctx, chatId, id));
};

const getChat: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  const migrateTo = ctx.store.migrated.get(chatId);
  if (migrateTo !== undefined) ctx.store.checkWritable(chatId);
  return { ...ctx.store.chat(chatId), accent_color_id: 0, max_reaction_count: 11 };
};

const sendChatAction: Handler = (params, ctx) => {
  targetChat(ctx, params);
  if (typeof params.action !== "string" || !ACTIONS.has(params.action)) throw badRequest("wrong parameter action in request");
  return true;
};

const answerCallbackQuery: Handler = (params, ctx) => {
  const id = idParam(params.callback_query_id);
  if (!ctx.store.callbackQueries.delete(id)) throw badRequest(QUERY_GONE);
  if (typeof params.text === "string" && params.text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  return true;
};

const answerInlineQuery: Handler = (params, ctx) => {
  const id = idParam(params.inline_query_id);
  if (!ctx.store.inlineQueries.has(id)) throw badRequest(QUERY_GONE);
  const results = params.results;
  if (!Array.isArray(results)) throw badRequest("can't parse inline query results JSON object");
  if (results.length > 50) throw badRequest("RESULTS_TOO_MUCH");
  const seen = new Set<string>();
  for (const result of results as Params[]) {
    const resultId = result.id;
    if (typeof resultId !== "string" || resultId === "" || Buffer.byteLength(resultId) > 64) throw badRequest("RESULT_ID_INVALID");
    if (seen.has(resultId)) throw badRequest("RESULT_ID_DUPLICATE");
    seen.add(resultId);
    if (typeof result.type !== "string") throw badRequest("can't parse inline query result: type not specified");
    if (result.type === "article" && (typeof result.title !== "string" || result.title === "")) throw badRequest("RESULT_TITLE_EMPTY");
    const content = result.input_message_content as Params | undefined;
    if (content && content.message_text !== undefined) {
      formatText(content.message_text, content.parse_mode, content.entities, "text");
    }
    if (result.caption !== undefined) formatText(result.caption, result.parse_mode, result.caption_entities, "caption");
  }
  ctx.store.inlineQueries.delete(id);
  return true;
};

const getMe: Handler = (_params, ctx) => ctx.botUser;

const leaveChat: Handler = (params, ctx) => {
  ctx.store.resolveChatId(params.chat_id);
  return true;
};

const pinChatMessage: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  if (!ctx.store.find(chatId, params.message_id)) throw badRequest("message to pin not found");
  return true;
};

const getChatMemberCount: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  return ctx.store.chat(chatId).type === "private" ? 2 : Math.max(2, (ctx.store.admins.get(chatId)?.length ?? 0) + 1);
};

const acknowledged: Handler = () => true;

/** Methods about chats, members, queries and the bot's own settings. */
export const chatHandlers: Record<string, Handler> = {
  getMe,
  getChat,
  getChatMember,
  getChatAdministrators,
  getChatMemberCount,
  sendChatAction,
  answerCallbackQuery,
  answerInlineQuery,
  ...commandHandlers,
  leaveChat,
  pinChatMessage,
  unpinChatMessage: acknowledged,
  setMyDescription: acknowledged,
  setMyShortDescription: acknowledged,
  setMyName: acknowledged,
  setChatMenuButton: acknowledged,
};
