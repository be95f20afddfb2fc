import type { IncomingMessage } from "node:http";
import { badRequest } from "./errors.js";
import type { Params } from "./types.js";

/** A file part of a multipart upload. */
export interface UploadedFile {
  uploaded: true;
  filename: string;
  sizeBytes: number;
  /** The part's bytes (kept so getFile and downloads can serve what the bot uploaded). */
  content: Buffer;
  /** The part's Content-Type header, when it had one. */
  contentType?: string;
}

/** Fields Telegram decodes as JSON when they arrive as form strings. */
const JSON_FIELDS = new Set([
  "reply_markup",
  "entities",
  "caption_entities",
  "media",
  "results",
  "message_ids",
  "allowed_updates",
  "commands",
  "scope",
  "reply_parameters",
  "link_preview_options",
  "button",
]);

const MAX_BODY_BYTES = 60 * 1024 * 1024;

/** Reads and decodes a request the way the Bot API accepts them: query string, JSON, urlencoded, multipart. */
export async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const params: Params = {};
  for (const [key, value] of url.searchParams) params[key] = value;
  const body = await readBody(req);
  const type = req.headers["content-type"] ?? "";
  if (body.length === 0) return decodeJsonFields(params);
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw badRequest("can't parse JSON object");
    }
    return { ...params, ...(parsed as Params) };
  }
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params[key] = value;
    return decodeJsonFields(params);
  }
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    const mark = boundary?.[1] ?? boundary?.[2];
    if (!mark) throw badRequest("multipart body without boundary");
    Object.assign(params, parseMultipart(body, mark));
    return decodeJsonFields(params);
  }
  throw badRequest(`unsupported content-type "${type}"`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => (size > MAX_BODY_BYTES ? reject(new Error("body too large")) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

function decodeJsonFields(params: Params): Params {
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (JSON_FIELDS.has(key) && typeof value === "string") {
      try {
        params[key] = JSON.parse(value);
      } catch {
        throw badRequest(`can't parse ${key} JSON object`);
      }
    }
  }
  return params;
}

/** Minimal multipart/form-data parser: enough for telegraf's uploads (fields and whole files in memory). */
function parseMultipart(body: Buffer, boundary: string): Params {
  const params: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // each part: CRLF, headers, CRLF CRLF, content, CRLF
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      if (name !== undefined) {
        const contentType = /^content-type:\s*([^\r\n;]+)/im.exec(headers)?.[1]?.trim();
        params[name] =
          filename !== undefined
            ? ({ uploaded: true, filename, sizeBytes: content.length, content: Buffer.from(content), ...(contentType ? { contentType } : {}) } satisfies UploadedFile)
            : content.toString("utf8");
      }
    }
    start = next;
  }
  return params;
}

/** True when a value is a file part of a multipart upload. */
export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && (value as { uploaded?: unknown }).uploaded === true;
}
