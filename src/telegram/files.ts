import type { Telegram } from "telegraf";
import { readBodyCapped } from "../net/body.js";

/** A file could not be had: too large for the cap, or Telegram or the download failed. */
export class FileDownloadError extends Error {
  override readonly name = "FileDownloadError";
  constructor(
    readonly kind: "too-large" | "failed",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Downloads a file someone sent: getFile, then `<apiRoot>/file/bot<token>/<file_path>`. */
export type DownloadFile = (telegram: Telegram, fileId: string, maxBytes: number) => Promise<Uint8Array>;

/**
 * getFile, then the download, reading at most `maxBytes` (the size Telegram states is checked first,
 * the bytes as they arrive too). Throws FileDownloadError. The URL holds the token: never logged.
 */
export function fileDownloader(fetchImpl: typeof fetch = fetch, timeoutMs = 30_000): DownloadFile {
  return async (telegram, fileId, maxBytes) => {
    let file: Awaited<ReturnType<Telegram["getFile"]>>;
    try {
      file = await telegram.getFile(fileId);
    } catch (err) {
      throw new FileDownloadError("failed", `getFile failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if ((file.file_size ?? 0) > maxBytes) throw new FileDownloadError("too-large", `file of ${file.file_size} bytes exceeds ${maxBytes}`);
    if (!file.file_path) throw new FileDownloadError("failed", "getFile answered no file_path");
    const link = await telegram.getFileLink(file);
    let res: Response;
    try {
      res = await fetchImpl(link, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new FileDownloadError("failed", "file download failed", { cause: err });
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new FileDownloadError("failed", `file download answered HTTP ${res.status}`);
    }
    let body: Uint8Array | "too-large";
    try {
      body = await readBodyCapped(res.body as ReadableStream<Uint8Array>, maxBytes);
    } catch (err) {
      throw new FileDownloadError("failed", "file download broke off", { cause: err });
    }
    if (body === "too-large") throw new FileDownloadError("too-large", `file exceeds ${maxBytes} bytes`);
    return body;
  };
}
