import { checkMessageLength, parseTelegramHtml } from "../telegram-html.js";
import { ApiFailure, badRequest } from "./errors.js";
import type { FileStore } from "./files.js";
import { isUploadedFile } from "./http-body.js";
import { shortHash } from "./state.js";
import type { Msg } from "./state.js";
import type { Entity, Params, SentKind } from "./types.js";

/** Text or caption after parse_mode handling. */
export interface FormattedText {
  text: string;
  entities: Entity[];
  source: string;
}

function withPrefix(description: string): string {
  return description.startsWith("Bad Request:") ? description : `Bad Request: ${description}`;
}

/**
 * Applies parse_mode and Telegram's length limits to a text ("text") or caption ("caption").
 * Returns undefined for an absent caption; an absent or blank text is a 400.
 */
export function formatText(
  raw: unknown,
  parseMode: unknown,
  givenEntities: unknown,
  kind: "text" | "caption",
): FormattedText | undefined {
  if (raw === undefined || raw === null || raw === "") {
    if (kind === "text") throw badRequest("message text is empty");
    return undefined;
  }
  if (typeof raw !== "string" && typeof raw !== "number") throw badRequest(`can't parse ${kind}: a string is expected`);
  const source = String(raw);
  let text = source;
  let entities: Entity[] = Array.isArray(givenEntities) ? (givenEntities as Entity[]) : [];
  const mode = typeof parseMode === "string" ? parseMode : "";
  if (mode.toLowerCase() === "html") {
    const parsed = parseTelegramHtml(source);
    if (!parsed.ok) throw new ApiFailure(400, withPrefix(parsed.description));
    text = parsed.text;
    entities = parsed.entities;
  } else if (mode === "Markdown" || mode === "MarkdownV2") {
    throw badRequest(`the Bot API double only implements parse_mode HTML, not ${mode}`);
  } else if (mode !== "") {
    throw badRequest("unsupported parse_mode");
  }
  if (kind === "text" && text.trim() === "") throw badRequest("message text is empty");
  const tooLong = checkMessageLength(text, kind);
  if (tooLong !== null) throw new ApiFailure(400, withPrefix(tooLong));
  return { text, entities, source };
}

/** The fields a Message gets for a text. */
export function textFields(formatted: FormattedText): Record<string, unknown> {
  return formatted.entities.length > 0
    ? { text: formatted.text, entities: formatted.entities }
    : { text: formatted.text };
}

/** The fields a Message gets for a caption (none when there is no caption). */
export function captionFields(formatted: FormattedText | undefined): Record<string, unknown> {
  if (!formatted) return {};
  return formatted.entities.length > 0
    ? { caption: formatted.text, caption_entities: formatted.entities }
    : { caption: formatted.text };
}

let uploadCount = 0;

/** A file reference as Telegram returns it, from a URL, a file_id or an uploaded file (kept in `files` with its bytes). */
export function fileRef(value: unknown, field: string, params: Params, files?: FileStore, kind = "document"): { file_id: string; file_unique_id: string } {
  if (typeof value === "string" && value.startsWith("attach://")) {
    const attached = params[value.slice("attach://".length)];
    if (!isUploadedFile(attached)) throw badRequest(`can't find attached file "${value}"`);
    value = attached;
  }
  if (value === undefined || value === null || value === "") throw badRequest(`there is no ${field} in the request`);
  if (isUploadedFile(value)) {
    uploadCount++;
    const id = `dbl-upload-${uploadCount}-${shortHash(value.filename)}`;
    files?.uploaded(id, shortHash(id), value.content, kind, value.filename, value.contentType);
    return { file_id: id, file_unique_id: shortHash(id) };
  }
  if (typeof value !== "string" || /\s/.test(value)) {
    throw badRequest("wrong file identifier/HTTP URL specified");
  }
  const isUrl = /^https?:\/\//i.test(value);
  const fileId = isUrl ? `dbl-url-${shortHash(value)}` : value;
  return { file_id: fileId, file_unique_id: shortHash(fileId) };
}

/** The Message fields for one media kind. */
export function mediaFields(kind: SentKind, ref: { file_id: string; file_unique_id: string }): Record<string, unknown> {
  switch (kind) {
    case "photo":
      return {
        photo: [
          { ...ref, file_unique_id: `${ref.file_unique_id}s`, width: 90, height: 60 },
          { ...ref, width: 1280, height: 853 },
        ],
      };
    case "video":
    case "animation":
      return { [kind]: { ...ref, width: 1280, height: 720, duration: 10 } };
    case "voice":
    case "audio":
      return { [kind]: { ...ref, duration: 5 } };
    default:
      return { document: { ...ref } };
  }
}

const MEDIA_KINDS: SentKind[] = ["photo", "video", "voice", "audio", "animation", "document"];

/** What a stored message carries, for SentMessage.kind. */
export function kindOf(message: Msg): SentKind {
  if (typeof message.text === "string") return "text";
  for (const kind of MEDIA_KINDS) if (message[kind] !== undefined) return kind;
  if (message.location !== undefined) return "location";
  if (message.contact !== undefined) return "contact";
  return "other";
}

/** Rejects reply markups Telegram rejects (callback_data over 64 bytes, malformed keyboards). */
export function checkReplyMarkup(markup: unknown): void {
  if (markup === undefined || markup === null) return;
  if (typeof markup !== "object") throw badRequest("can't parse reply keyboard markup JSON object");
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  }
  for (const row of rows as unknown[][]) {
    for (const button of row) {
      const { text, callback_data: data, url } = button as { text?: unknown; callback_data?: unknown; url?: unknown };
      if (typeof text !== "string" || text === "") throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
      if (data !== undefined && (typeof data !== "string" || Buffer.byteLength(data) > 64 || data === "")) {
        throw badRequest("BUTTON_DATA_INVALID");
      }
      if (url !== undefined && (typeof url !== "string" || !/^(https?|tg):\/\//i.test(url))) {
        throw badRequest("BUTTON_URL_INVALID");
      }
    }
  }
}
