import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Telegram, TelegramError } from "telegraf";
import { startBotApiDouble, type BotApiDouble } from "./bot-api-double.js";
import { document, user } from "./updates.js";

const READER = 4242;

let double: BotApiDouble;
let telegram: Telegram;

async function failure(promise: Promise<unknown>): Promise<TelegramError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TelegramError) return error;
    throw error;
  }
  throw new Error("the call succeeded but a TelegramError was expected");
}

beforeEach(async () => {
  double = await startBotApiDouble();
  telegram = new Telegram(double.token, { apiRoot: double.apiRoot });
});

afterEach(async () => {
  await double.close();
});

describe("files: sendDocument uploads, getFile, and the download route", () => {
  it("sendDocument with an InputFile answers the document's name, type and size, and keeps the bytes", async () => {
    const body = '<?xml version="1.0"?><opml version="2.0"/>';
    const sent = await telegram.sendDocument(READER, { source: Buffer.from(body), filename: "feeds.opml" }, { caption: "<b>3</b> feeds", parse_mode: "HTML" });
    expect(sent.document).toMatchObject({ file_name: "feeds.opml", file_size: Buffer.byteLength(body) });
    expect(sent.document.file_id).toMatch(/^dbl-upload-/);
    expect(sent.caption).toBe("3 feeds");
    expect(double.fileContent(sent.document.file_id)?.toString("utf8")).toBe(body);
    expect(double.sent(READER)[0]).toMatchObject({ method: "sendDocument", kind: "document" });
  });

  it("getFile hands out a file_path that <apiRoot>/file/bot<token>/<file_path> serves", async () => {
    const put = double.putFile("hello, newsroom", { fileName: "notes.opml" });
    const file = await telegram.getFile(put.file_id);
    expect(file).toEqual({ file_id: put.file_id, file_unique_id: put.file_unique_id, file_size: 15, file_path: expect.stringMatching(/^documents\/file_\d+\.opml$/) });
    const link = await telegram.getFileLink(file);
    expect(link.href).toBe(`${double.apiRoot}/file/bot${double.token}/${file.file_path}`);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello, newsroom");
    expect(double.calls.at(-1)).toMatchObject({ method: "downloadFile", ok: true, params: { file_path: file.file_path } });
  });

  it("serves a file the bot uploaded itself once getFile named it", async () => {
    const sent = await telegram.sendDocument(READER, { source: Buffer.from("round trip"), filename: "x.xml" });
    const file = await telegram.getFile(sent.document.file_id);
    expect(await (await fetch(await telegram.getFileLink(file))).text()).toBe("round trip");
  });

  it("learns files of pushed updates: getFile answers their size", async () => {
    const reader = user({ id: READER });
    double.pushUpdate(document(reader, { fileId: "doc-xyz", file_name: "a.pdf", file_size: 1234 }));
    expect(await telegram.getFile("doc-xyz")).toMatchObject({ file_id: "doc-xyz", file_size: 1234, file_path: expect.stringMatching(/^documents\/file_\d+\.pdf$/) });
  });

  it("answers Telegram's errors: an unknown or empty file_id, a file over 20 MB, an unknown path, a wrong token", async () => {
    const unknown = await failure(telegram.getFile("no-such-file"));
    expect([unknown.code, unknown.description]).toEqual([400, "Bad Request: invalid file_id"]);
    const empty = await failure(telegram.callApi("getFile", { file_id: "" }));
    expect(empty.description).toBe("Bad Request: file_id is empty");

    double.pushUpdate(document(user({ id: READER }), { fileId: "huge-doc", file_size: 20 * 1024 * 1024 + 1 }));
    const big = await failure(telegram.getFile("huge-doc"));
    expect([big.code, big.description]).toEqual([400, "Bad Request: file is too big"]);

    const missing = await fetch(`${double.apiRoot}/file/bot${double.token}/documents/file_999.opml`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });

    const put = double.putFile("secret");
    const file = await telegram.getFile(put.file_id);
    const wrongToken = await fetch(`${double.apiRoot}/file/bot1:wrong/${file.file_path}`);
    expect(wrongToken.status).toBe(401);
  });
});
