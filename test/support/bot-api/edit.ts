import { badRequest } from "./errors.js";
import { captionFields, checkReplyMarkup, formatText, textFields } from "./content.js";
import type { FormattedText } from "./content.js";
import type { Handler, MethodContext } from "./context.js";
import { targetChat } from "./send.js";
import type { StoredMessage } from "./state.js";
import type { Params } from "./types.js";

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** The bot's own message named by chat_id + message_id, or undefined for inline messages. */
function editable(ctx: MethodContext, params: Params): StoredMessage | undefined {
  if (params.inline_message_id !== undefined && params.chat_id === undefined) return undefined;
  const chatId = targetChat(ctx, params);
  if (params.message_id === undefined) throw badRequest("message identifier is not specified");
  const stored = ctx.store.find(chatId, params.message_id);
  if (!stored) throw badRequest("message to edit not found");
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return stored;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function markupOf(params: Params): unknown {
  const markup = params.reply_markup as { inline_keyboard?: unknown } | undefined;
  return markup?.inline_keyboard !== undefined ? markup : undefined;
}

/** Applies an edit: not-modified check, then the new fields (an edit without reply_markup drops the keyboard). */
function applyEdit(
  ctx: MethodContext,
  stored: StoredMessage,
  params: Params,
  fields: Record<string, unknown>,
  formatted: FormattedText | undefined,
  removed: string[],
): unknown {
  const message = stored.message;
  const markup = markupOf(params);
  const unchanged =
    Object.entries(fields).every(([key, value]) => sameJson(message[key], value)) &&
    removed.every((key) => message[key] === undefined) &&
    sameJson(message.reply_markup, markup);
  if (unchanged) throw badRequest(NOT_MODIFIED);
  for (const key of removed) delete message[key];
  Object.assign(message, fields);
  if (markup === undefined) delete message.reply_markup;
  else message.reply_markup = markup;
  message.edit_date = Math.floor(ctx.nowMs() / 1000);
  if (stored.sent) {
    stored.sent.edited = true;
    stored.sent.replyMarkup = params.reply_markup;
    if (formatted !== undefined || removed.length > 0) {
      stored.sent.text = formatted?.text ?? "";
      stored.sent.entities = formatted?.entities ?? [];
      stored.sent.source = formatted?.source;
    }
  }
  return message;
}

const editMessageText: Handler = (params, ctx) => {
  checkReplyMarkup(params.reply_markup);
  const stored = editable(ctx, params);
  const formatted = formatText(params.text, params.parse_mode, params.entities, "text")!;
  if (!stored) return true;
  if (typeof stored.message.text !== "string") throw badRequest("there is no text in the message to edit");
  return applyEdit(ctx, stored, params, textFields(formatted), formatted, formatted.entities.length > 0 ? [] : ["entities"]);
};

const editMessageCaption: Handler = (params, ctx) => {
  checkReplyMarkup(params.reply_markup);
  const stored = editable(ctx, params);
  const formatted = formatText(params.caption, params.parse_mode, params.caption_entities, "caption");
  if (!stored) return true;
  if (typeof stored.message.text === "string") throw badRequest("there is no caption in the message to edit");
  const removed = formatted === undefined ? ["caption", "caption_entities"] : formatted.entities.length > 0 ? [] : ["caption_entities"];
  return applyEdit(ctx, stored, params, captionFields(formatted), formatted, removed);
};

const editMessageReplyMarkup: Handler = (params, ctx) => {
  checkReplyMarkup(params.reply_markup);
  const stored = editable(ctx, params);
  if (!stored) return true;
  return applyEdit(ctx, stored, params, {}, undefined, []);
};

const deleteMessage: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  const stored = ctx.store.find(chatId, params.message_id);
  if (!stored) throw badRequest("message to delete not found");
  stored.deleted = true;
  if (stored.sent) stored.sent.deleted = true;
  return true;
};

const deleteMessages: Handler = (params, ctx) => {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  const ids = Array.isArray(params.message_ids) ? params.message_ids : [];
  if (ids.length < 1 || ids.length > 100) throw badRequest("message_ids must contain 1-100 items");
  for (const id of ids) {
    const stored = ctx.store.find(chatId, id);
    if (!stored) continue;
    stored.deleted = true;
    if (stored.sent) stored.sent.deleted = true;
  }
  return true;
};

/** Methods that change or remove existing messages. */
export const editHandlers: Record<string, Handler> = {
  editMessageText,
  editMessageCaption,
  editMessageReplyMarkup,
  deleteMessage,
  deleteMessages,
};
