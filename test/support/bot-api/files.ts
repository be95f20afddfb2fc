import { ApiFailure, badRequest } from "./errors.js";
import type { Handler } from "./context.js";
import { shortHash } from "./state.js";

/** Bots may download files up to 20 MB (getFile answers "file is too big" above that). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** A file the double knows: uploaded by the bot, put there by a test, or seen in a pushed update. */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  sizeBytes: number;
  /** Set once getFile was called, as Telegram hands out paths only then. */
  filePath?: string;
  /** The bytes; undefined for a file only seen in an update (a download gets zero bytes of its size). */
  content?: Buffer;
  fileName?: string;
  mimeType?: string;
  /** Folder of file_path, as Telegram names them: documents, photos, videos, voice, music, animations. */
  folder: string;
}

/** A file object in an update or a result. */
interface FileObject {
  file_id?: unknown;
  file_unique_id?: unknown;
  file_size?: unknown;
  file_name?: unknown;
  mime_type?: unknown;
}

const FOLDERS: Record<string, string> = {
  document: "documents",
  photo: "photos",
  video: "videos",
  voice: "voice",
  audio: "music",
  animation: "animations",
  video_note: "video_notes",
  sticker: "stickers",
};

let putCount = 0;

/** Files by id and by path: what getFile and the download route serve. */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private pathCount = 0;

  /** Keeps a file the bot uploaded (multipart) under the id its message got. */
  uploaded(fileId: string, fileUniqueId: string, content: Buffer, kind: string, fileName?: string, mimeType?: string): StoredFile {
    const file: StoredFile = { fileId, fileUniqueId, sizeBytes: content.length, content, folder: FOLDERS[kind] ?? "documents" };
    if (fileName !== undefined) file.fileName = fileName;
    if (mimeType !== undefined) file.mimeType = mimeType;
    this.byId.set(fileId, file);
    return file;
  }

  /** A file a user "sent" (for a document in a pushed update): returns the ids and size to put in it. */
  put(content: Buffer, kind = "document", fileName?: string): { file_id: string; file_unique_id: string; file_size: number } {
    const n = ++putCount;
    const fileId = `dbl-file-${n}-${shortHash(`${n}:${fileName ?? ""}:${content.length}`)}`;
    const file = this.uploaded(fileId, shortHash(fileId), content, kind, fileName);
    return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.sizeBytes };
  }

  /** Learns the files of a pushed update that no test put here (their content is unknown). */
  learn(update: unknown): void {
    const record = update as Record<string, unknown>;
    for (const key of ["message", "edited_message", "channel_post", "edited_channel_post", "business_message"]) {
      const message = record[key] as Record<string, unknown> | undefined;
      if (!message || typeof message !== "object") continue;
      for (const [kind, folder] of Object.entries(FOLDERS)) {
        const value = message[kind];
        const files = (Array.isArray(value) ? value : value ? [value] : []) as FileObject[];
        for (const f of files) {
          if (typeof f.file_id !== "string" || this.byId.has(f.file_id)) continue;
          const size = typeof f.file_size === "number" ? f.file_size : 0;
          const file: StoredFile = { fileId: f.file_id, fileUniqueId: typeof f.file_unique_id === "string" ? f.file_unique_id : shortHash(f.file_id), sizeBytes: size, folder };
          if (typeof f.file_name === "string") file.fileName = f.file_name;
          if (typeof f.mime_type === "string") file.mimeType = f.mime_type;
          this.byId.set(f.file_id, file);
        }
      }
    }
  }

  get(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  /** getFile: the File object with a file_path the download route serves. */
  readonly getFile: Handler = (params) => {
    const fileId = params.file_id;
    if (fileId === undefined || fileId === null || fileId === "") throw badRequest("file_id is empty");
    const file = typeof fileId === "string" ? this.byId.get(fileId) : undefined;
    if (!file) throw badRequest("invalid file_id");
    if (file.sizeBytes > MAX_DOWNLOAD_BYTES) throw badRequest("file is too big");
    if (!file.filePath) {
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(file.fileName ?? "")?.[1] ?? (file.folder === "photos" ? "jpg" : "");
      file.filePath = `${file.folder}/file_${++this.pathCount}${ext ? `.${ext}` : ""}`;
      this.byPath.set(file.filePath, file);
    }
    return { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_size: file.sizeBytes, file_path: file.filePath };
  };

  /** The bytes at a file_path handed out by getFile; 404 otherwise. */
  download(filePath: string): Buffer {
    const file = this.byPath.get(filePath);
    if (!file) throw new ApiFailure(404, "Not Found");
    return file.content ?? Buffer.alloc(file.sizeBytes);
  }
}
