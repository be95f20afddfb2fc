import { ApiFailure, badRequest } from "./errors.js";
import { captionFields, checkReplyMarkup, fileRef, formatText, kindOf, mediaFields, textFields } from "./content.js";
import type { FormattedText } from "./content.js";
import { numberParam } from "./context.js";
import { threadOf } from "./forum.js";
import { isUploadedFile } from "./http-body.js";
import type { Handler, MethodContext } from "./context.js";
import type { Msg } from "./state.js";
import type { Params, SentKind, SentMessage } from "./types.js";

/** One message to create. */
export interface Draft {
  kind: SentKind;
  fields: Record<string, unknown>;
  formatted: FormattedText | undefined;
}

/** Resolves chat_id and throws the migrate / blocked errors before anything else is checked. */
export function targetChat(ctx: MethodContext, params: Params): number {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  ctx.store.checkWritable(chatId);
  return chatId;
}

function replyTarget(ctx: MethodContext, chatId: number, params: Params): Msg | undefined {
  const replyParams = (params.reply_parameters ?? {}) as { message_id?: unknown; allow_sending_without_reply?: unknown };
  const replyToId = numberParam(replyParams.message_id ?? params.reply_to_message_id);
  if (replyToId === undefined) return undefined;
  const found = ctx.store.find(chatId, replyToId);
  const allowMissing = (replyParams.allow_sending_without_reply ?? params.allow_sending_without_reply) === true;
  if (!found && !allowMissing) throw badRequest("message to be replied not found");
  return found?.message;
}

/**
 * Creates the messages of one send call after the checks Telegram makes in this order:
 * markup, reply target, message thread (forum.ts), then rate limits (a rejected call does not count against them).
 */
export function deliver(ctx: MethodContext, method: string, params: Params, chatId: number, drafts: Draft[]): Msg[] {
  checkReplyMarkup(params.reply_markup);
  const replyTo = replyTarget(ctx, chatId, params);
  const thread = threadOf(ctx.store, chatId, params, replyTo);
  const now = ctx.nowMs();
  const paid = params.allow_paid_broadcast === true;
  const retryAfterSeconds = ctx.limiter.retryAfterSeconds(chatId, now, paid);
  if (retryAfterSeconds > 0) {
    throw new ApiFailure(429, `Too Many Requests: retry after ${retryAfterSeconds}`, { retry_after: retryAfterSeconds });
  }
  ctx.limiter.record(chatId, now, paid);
  if (paid) ctx.counters.paidMessages++;
  const chat = ctx.store.chat(chatId);
  const markup = params.reply_markup as { inline_keyboard?: unknown } | undefined;
  const mediaGroupId = drafts.length > 1 ? `${chatId}${now}`.replace("-", "") : undefined;
  return drafts.map((draft) => {
    const author =
      chat.type === "channel"
        ? { sender_chat: chat }
        : {
            from: {
              id: ctx.botUser.id,
              is_bot: true,
              first_name: ctx.botUser.first_name,
              username: ctx.botUser.username,
            },
          };
    const message: Msg = {
      message_id: ctx.store.nextMessageId(chatId),
      ...author,
      chat,
      date: Math.floor(now / 1000),
      ...(thread ? { message_thread_id: thread.messageThreadId, ...(thread.isTopicMessage ? { is_topic_message: true } : {}) } : {}),
      ...(mediaGroupId !== undefined ? { media_group_id: mediaGroupId } : {}),
      ...(replyTo ? { reply_to_message: replyTo } : {}),
      ...draft.fields,
      ...(markup?.inline_keyboard !== undefined ? { reply_markup: markup } : {}),
    };
    const sent: SentMessage = {
      method,
      chatId,
      messageId: message.message_id,
      kind: draft.kind,
      text: draft.formatted?.text ?? "",
      entities: draft.formatted?.entities ?? [],
      source: draft.formatted?.source,
      replyMarkup: params.reply_markup,
      mediaGroupId,
      params,
      message: message as unknown as SentMessage["message"],
      edited: false,
      deleted: false,
    };
    ctx.store.put(message, true, sent);
    ctx.store.sent.push(sent);
    ctx.counters.messagesSent++;
    return message;
  });
}

function sendMedia(kind: SentKind, field: string): Handler {
  return (params, ctx) => {
    const chatId = targetChat(ctx, params);
    const ref = fileRef(params[field], field, params, ctx.files, kind);
    const caption = formatText(params.caption, params.parse_mode, params.caption_entities, "caption");
    const fields = { ...mediaFields(kind, ref), ...captionFields(caption) };
    const stored = ctx.files.get(ref.file_id);
    if (kind === "document" && isUploadedFile(params.document) && stored) {
      // What Telegram answers for an uploaded document: its name, a MIME type and its size.
      Object.assign(fields.document as Record<string, unknown>, {
        file_name: params.document.filename,
        mime_type: stored.mimeType ?? "application/octet-stream",
        file_size: stored.sizeBytes,
      });
    }
    const [message] = deliver(ctx, `send${field[0]!.toUpperCase()}${field.slice(1)}`, params, chatId, [
      { kind, fields, formatted: caption },
    ]);
    return message;
  };
}

const sendMediaGroup: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const media = params.media;
  if (!Array.isArray(media)) throw badRequest("media must be an array of InputMedia");
  if (media.length < 2 || media.length > 10) throw badRequest("media group must include 2-10 items");
  const drafts = media.map((item: unknown): Draft => {
    const { type, media: file, caption, parse_mode: parseMode, caption_entities: entities } = item as Params;
    const kinds: Record<string, SentKind> = { photo: "photo", video: "video", audio: "audio", document: "document" };
    const kind = typeof type === "string" ? kinds[type] : undefined;
    if (!kind) throw badRequest("can't parse InputMedia: unsupported media type");
    const formatted = formatText(caption, parseMode, entities, "caption");
    return { kind, fields: { ...mediaFields(kind, fileRef(file, "media", params, ctx.files, kind)), ...captionFields(formatted) }, formatted };
  });
  const kindsUsed = new Set(drafts.map((d) => d.kind));
  if ((kindsUsed.has("audio") || kindsUsed.has("document")) && kindsUsed.size > 1) {
    throw badRequest("document or audio can't be mixed with other media types");
  }
  return deliver(ctx, "sendMediaGroup", params, chatId, drafts);
};

const sendMessage: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const formatted = formatText(params.text, params.parse_mode, params.entities, "text");
  return deliver(ctx, "sendMessage", params, chatId, [{ kind: "text", fields: textFields(formatted!), formatted }])[0];
};

const sendLocation: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const latitude = numberParam(params.latitude);
  const longitude = numberParam(params.longitude);
  if (latitude === undefined || Math.abs(latitude) > 90) throw badRequest("wrong latitude specified");
  if (longitude === undefined || Math.abs(longitude) > 180) throw badRequest("wrong longitude specified");
  const fields = { location: { latitude, longitude } };
  return deliver(ctx, "sendLocation", params, chatId, [{ kind: "location", fields, formatted: undefined }])[0];
};

const sendContact: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const { phone_number: phone, first_name: firstName, last_name: lastName } = params;
  if (typeof phone !== "string" || phone === "") throw badRequest("phone number is empty");
  if (typeof firstName !== "string" || firstName === "") throw badRequest("first name is empty");
  const contact = { phone_number: phone, first_name: firstName, ...(typeof lastName === "string" ? { last_name: lastName } : {}) };
  return deliver(ctx, "sendContact", params, chatId, [{ kind: "contact", fields: { contact }, formatted: undefined }])[0];
};

const CONTENT_FIELDS = ["text", "entities", "photo", "video", "voice", "audio", "animation", "document", "location", "contact", "caption", "caption_entities"];

/** A draft that repeats a stored message's content, with copyMessage's caption override. */
function copyDraft(source: Msg, params: Params | undefined): Draft {
  const fields: Record<string, unknown> = {};
  for (const key of CONTENT_FIELDS) if (source[key] !== undefined) fields[key] = source[key];
  const kind = kindOf(source);
  let formatted: FormattedText | undefined;
  if (typeof fields.text === "string") {
    formatted = { text: fields.text, entities: (fields.entities as FormattedText["entities"] | undefined) ?? [], source: fields.text };
  } else if (params && params.caption !== undefined && kind !== "location" && kind !== "contact") {
    formatted = formatText(params.caption, params.parse_mode, params.caption_entities, "caption");
    delete fields.caption;
    delete fields.caption_entities;
    Object.assign(fields, captionFields(formatted));
  } else if (typeof fields.caption === "string") {
    formatted = { text: fields.caption, entities: (fields.caption_entities as FormattedText["entities"] | undefined) ?? [], source: fields.caption };
  }
  return { kind, fields, formatted };
}

function sourceMessage(ctx: MethodContext, params: Params, messageId: unknown, missing: string): Msg {
  const fromChatId = ctx.store.resolveChatId(params.from_chat_id, "from_chat_id");
  const found = ctx.store.find(fromChatId, messageId);
  if (!found) throw badRequest(missing);
  return found.message;
}

const copyMessage: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const source = sourceMessage(ctx, params, params.message_id, "message to copy not found");
  const [message] = deliver(ctx, "copyMessage", params, chatId, [copyDraft(source, params)]);
  return { message_id: message!.message_id };
};

const copyMessages: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const ids = params.message_ids;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) throw badRequest("message_ids must contain 1-100 items");
  const fromChatId = ctx.store.resolveChatId(params.from_chat_id, "from_chat_id");
  const sources = ids.map((id) => ctx.store.find(fromChatId, id)?.message).filter((m): m is Msg => m !== undefined);
  if (sources.length === 0) throw badRequest("message to copy not found");
  // caption overrides do not exist for copyMessages
  const messages = deliver(ctx, "copyMessages", params, chatId, sources.map((m) => copyDraft(m, undefined)));
  return messages.map((m) => ({ message_id: m.message_id }));
};

const forwardMessage: Handler = (params, ctx) => {
  const chatId = targetChat(ctx, params);
  const source = sourceMessage(ctx, params, params.message_id, "message to forward not found");
  const draft = copyDraft(source, undefined);
  const origin =
    source.chat.type === "channel"
      ? { type: "channel", chat: source.chat, message_id: source.message_id, date: source.date }
      : source.from !== undefined
        ? { type: "user", sender_user: source.from, date: source.date }
        : { type: "chat", sender_chat: source.sender_chat ?? source.chat, date: source.date };
  draft.fields.forward_origin = source.forward_origin ?? origin;
  return deliver(ctx, "forwardMessage", params, chatId, [draft])[0];
};

/** Every method that creates messages (and so counts against the rate limits). */
export const sendHandlers: Record<string, Handler> = {
  sendMessage,
  sendPhoto: sendMedia("photo", "photo"),
  sendVideo: sendMedia("video", "video"),
  sendVoice: sendMedia("voice", "voice"),
  sendAudio: sendMedia("audio", "audio"),
  sendAnimation: sendMedia("animation", "animation"),
  sendDocument: sendMedia("document", "document"),
  sendMediaGroup,
  sendLocation,
  sendContact,
  copyMessage,
  copyMessages,
  forwardMessage,
};
