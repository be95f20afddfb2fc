import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update, UserFromGetMe } from "telegraf/types";
import { chatHandlers } from "./bot-api/chat-methods.js";
import { commandsShown, type BotCommand } from "./bot-api/commands.js";
import type { Handler, MethodContext } from "./bot-api/context.js";
import { editHandlers } from "./bot-api/edit.js";
import { FileStore } from "./bot-api/files.js";
import { forumHandlers, forumTopicOf, TOPIC_ICON_COLORS } from "./bot-api/forum.js";
import type { ForumTopic, ForumTopicState } from "./bot-api/forum.js";
import { ApiFailure, badRequest, statusText } from "./bot-api/errors.js";
import { readParams } from "./bot-api/http-body.js";
import { RateLimiter } from "./bot-api/rate-limiter.js";
import { sendHandlers } from "./bot-api/send.js";
import { ChatStore } from "./bot-api/state.js";
import type { ChatInfo } from "./bot-api/state.js";
import type { ApiCall, DoubleStats, InjectedError, Limits, Params, SentMessage } from "./bot-api/types.js";
import { ClientGone, UpdateFeed } from "./bot-api/update-feed.js";

export type { ApiCall, DoubleStats, Entity, InjectedError, Limits, Params, SentKind, SentMessage } from "./bot-api/types.js";
export type { ChatInfo } from "./bot-api/state.js";
export type { BotCommand } from "./bot-api/commands.js";
export type { ForumTopic, ForumTopicState } from "./bot-api/forum.js";

/** A fake Telegram Bot API server for end-to-end tests (see test/support/bot-api-double.test.ts). */
export interface BotApiDouble {
  /** "http://127.0.0.1:PORT", for `new Telegraf(token, { telegram: { apiRoot } })`. */
  apiRoot: string;
  token: string;
  /** What getMe answers (also usable as `bot.botInfo`). */
  botUser: UserFromGetMe;
  /** Every answered call, in answer order. */
  calls: ApiCall[];
  /** Messages the bot sent successfully (to one chat, or all), in order; edits and deletions show in place. */
  sent(chatId?: number | string): SentMessage[];
  /** Queues an update for getUpdates (or the webhook) and learns its chats, messages and query ids. */
  pushUpdate(update: Update): void;
  /** Resolves with the first past or future call matching predicate; rejects after timeoutMs (default 5000). */
  waitFor(predicate: (call: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  /** Sends to chatId fail with 403 (blocked by the user / kicked from the group, or the given description). */
  blockChat(chatId: number | string, description?: string): void;
  unblockChat(chatId: number | string): void;
  /** Calls naming oldId fail with 400 and parameters.migrate_to_chat_id = newId. */
  migrateChat(oldId: number, newId: number): void;
  /** The next n calls of method (or "*" for any method) fail with this error. */
  failNext(method: string, n: number, error: InjectedError): void;
  /** Calls for a chat (or all calls when chatId is absent) answer with a 5xx until called with null. */
  setDown(downFor: { chatId?: number | string; status: number; description?: string } | null): void;
  /** Admins for getChatMember / getChatAdministrators; the first one is the chat's creator. */
  setChatAdmins(chatId: number | string, userIds: number[]): void;
  /**
   * A file a user sends (say, a document in a pushed update): getFile and the download route serve
   * `content`. Put the answer's file_id, file_unique_id and file_size in the update's document.
   */
  putFile(content: Buffer | string, opts?: { kind?: string; fileName?: string }): { file_id: string; file_unique_id: string; file_size: number };
  /** The bytes of a file the bot uploaded (e.g. sendDocument) or a test put; undefined for unknown ids. */
  fileContent(fileId: string): Buffer | undefined;
  /** Declares a chat's type and names (e.g. a channel, or a forum: `{ type: "supergroup", is_forum: true }`), instead of the type inferred from the id. */
  registerChat(chat: ChatInfo): void;
  /** A topic a member opened in a forum chat (no rights checked); send into it with its message_thread_id. */
  addForumTopic(chatId: number | string, name: string, opts?: { iconColor?: number; createdBy?: number }): ForumTopic;
  /** Every topic of a forum chat with its state (closed, deleted), in creation order. */
  forumTopics(chatId: number | string): ForumTopicState[];
  /** Gives or takes the bot's can_manage_topics right in a chat where it is an admin (default: given). */
  setCanManageTopics(chatId: number | string, allowed: boolean): void;
  /** The command menu Telegram would show this user in this chat for a client language (e.g. "en"), by the documented scope order. */
  commandsShown(chatId: number, userId: number, languageCode?: string): BotCommand[];
  setLimits(limits: Partial<Limits>): void;
  stats(): DoubleStats;
  /** The webhook url set by the bot ("" when none). */
  webhookUrl(): string;
  /** True while a long-polling getUpdates is held open (the bot is waiting for updates). */
  isLongPolling(): boolean;
  close(): Promise<void>;
}

/** Options for startBotApiDouble. */
export interface BotApiDoubleOptions {
  /** Token the double accepts (default "123456789:TEST-newsdesk-token"). */
  token?: string;
  /** Overrides for getMe (default id 123456789, username "newsdesk_test_bot"). */
  botUser?: Partial<Omit<UserFromGetMe, "is_bot">>;
  /** Rate limits (default Telegram's: 30/s, 1/s per private chat with a burst of 3, 20/min per group). */
  limits?: Partial<Limits>;
  /** Clock in ms used for rate limits, message dates and ApiCall.at (default Date.now). */
  now?: () => number;
  /** Pause before a failed webhook delivery is retried (default 100 ms). */
  webhookRetryMs?: number;
}

interface Waiter {
  predicate: (call: ApiCall) => boolean;
  resolve: (call: ApiCall) => void;
}

/** Starts the double on 127.0.0.1 at a random port. */
export async function startBotApiDouble(opts: BotApiDoubleOptions = {}): Promise<BotApiDouble> {
  const token = opts.token ?? "123456789:TEST-newsdesk-token";
  const now = opts.now ?? Date.now;
  const botUser: UserFromGetMe = {
    id: 123456789,
    is_bot: true,
    first_name: "Newsdesk Test",
    username: "newsdesk_test_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: true,
    ...opts.botUser,
  };
  const store = new ChatStore();
  store.botId = botUser.id;
  const files = new FileStore();
  const ctx: MethodContext = { store, files, limiter: new RateLimiter(opts.limits), nowMs: now, botUser, counters: { messagesSent: 0, paidMessages: 0 } };
  const calls: ApiCall[] = [];
  const waiters = new Set<Waiter>();
  const failures = new Map<string, InjectedError[]>();
  let down: { chatId?: number; status: number; description?: string } | null = null;
  const counts = { accepted: 0, rejected: 0, rejected429: 0 };

  const feed = new UpdateFeed(async (method, params) => {
    await execute(canonical.get(method.toLowerCase()) ?? method, params, now(), new AbortController().signal);
  }, opts.webhookRetryMs ?? 100);

  const handlers: Record<string, Handler> = {
    ...sendHandlers,
    ...editHandlers,
    ...chatHandlers,
    ...forumHandlers,
    getFile: files.getFile,
    setWebhook: (params) => feed.setWebhook(params),
    deleteWebhook: (params) => feed.deleteWebhook(params),
    getWebhookInfo: () => feed.webhookInfo(),
  };
  const canonical = new Map([...Object.keys(handlers), "getUpdates"].map((name) => [name.toLowerCase(), name]));

  function record(call: ApiCall): void {
    calls.push(call);
    for (const waiter of waiters) {
      if (waiter.predicate(call)) {
        waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  }

  function chatOf(raw: unknown): number | undefined {
    try {
      return raw === undefined ? undefined : store.resolveChatId(raw);
    } catch {
      return undefined;
    }
  }

  /** Runs one call through fault injection and its handler, records it, and returns the answer. */
  async function execute(method: string, params: Params, at: number, gone: AbortSignal): Promise<{ status: number; body: unknown }> {
    try {
      const queued = failures.get(method)?.shift() ?? failures.get("*")?.shift();
      if (queued) throw ApiFailure.from(queued);
      if (down && (down.chatId === undefined || down.chatId === chatOf(params.chat_id))) {
        throw new ApiFailure(down.status, down.description ?? statusText(down.status));
      }
      // Telegram refuses any string parameter that is not valid UTF-8 (a lone surrogate), whatever the method.
      if (method !== "getUpdates" && hasLoneSurrogate(params)) throw badRequest("strings must be encoded in UTF-8");
      const handler = handlers[method];
      const result: unknown = method === "getUpdates" ? await feed.getUpdates(params, gone) : await handler?.(params, ctx);
      counts.accepted++;
      record({ method, params, at, ok: true, result });
      return { status: 200, body: { ok: true, result } };
    } catch (error) {
      if (error instanceof ClientGone) {
        record({ method, params, at, ok: false, errorCode: 499, description: "client closed the request" });
        return { status: 499, body: null };
      }
      const failure =
        error instanceof ApiFailure
          ? error
          : new ApiFailure(500, `Internal Server Error: the double failed: ${error instanceof Error ? error.message : String(error)}`);
      counts.rejected++;
      if (failure.code === 429) counts.rejected429++;
      record({ method, params, at, ok: false, errorCode: failure.code, description: failure.description });
      const body = { ok: false, error_code: failure.code, description: failure.description, ...(failure.parameters ? { parameters: failure.parameters } : {}) };
      return { status: failure.code, body };
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith("/file/")) return serveFile(req, res, url, at);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableEnded) gone.abort();
    });
    let answer: { status: number; body: unknown };
    if (!match || match[1] !== token) {
      req.resume();
      const failure = match ? new ApiFailure(401, "Unauthorized") : new ApiFailure(404, "Not Found");
      record({ method: match?.[2] ?? url.pathname, params: {}, at, ok: false, errorCode: failure.code, description: failure.description });
      counts.rejected++;
      answer = { status: failure.code, body: { ok: false, error_code: failure.code, description: failure.description } };
    } else {
      const method = canonical.get(match[2]!.toLowerCase());
      let params: Params = {};
      try {
        params = await readParams(req, url);
        if (!method) throw new ApiFailure(404, "Not Found");
        answer = await execute(method, params, at, gone.signal);
      } catch (error) {
        const failure = error instanceof ApiFailure ? error : new ApiFailure(400, "Bad Request: unreadable request body");
        record({ method: method ?? match[2]!, params, at, ok: false, errorCode: failure.code, description: failure.description });
        counts.rejected++;
        answer = { status: failure.code, body: { ok: false, error_code: failure.code, description: failure.description } };
      }
    }
    if (gone.signal.aborted || res.writableEnded) return;
    const message = answer.status >= 500 ? (((answer.body as { description?: string }).description ?? "").replace(/[^\x20-\x7e]/g, "") || statusText(answer.status)) : undefined;
    res.writeHead(answer.status, message, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  }

  /** GET /file/bot<token>/<file_path>: the bytes, as Telegram serves a file after getFile (recorded as "downloadFile"). */
  function serveFile(req: IncomingMessage, res: ServerResponse, url: URL, at: number): void {
    req.resume();
    const match = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    const filePath = match ? decodeURIComponent(match[2]!) : "";
    try {
      if (!match || match[1] !== token) throw new ApiFailure(match ? 401 : 404, match ? "Unauthorized" : "Not Found");
      const content = files.download(filePath);
      record({ method: "downloadFile", params: { file_path: filePath }, at, ok: true, result: { bytes: content.length } });
      counts.accepted++;
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(content.length) });
      res.end(content);
    } catch (error) {
      const failure = error instanceof ApiFailure ? error : new ApiFailure(500, "Internal Server Error");
      record({ method: "downloadFile", params: { file_path: filePath }, at, ok: false, errorCode: failure.code, description: failure.description });
      counts.rejected++;
      res.writeHead(failure.code, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error_code: failure.code, description: failure.description }));
    }
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error("bot-api-double: unexpected failure", error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    botUser,
    calls,
    sent: (chatId) => (chatId === undefined ? [...store.sent] : store.sent.filter((m) => m.chatId === chatOf(chatId))),
    pushUpdate: (update) => {
      store.learn(update);
      files.learn(update);
      feed.push(update);
    },
    waitFor: (predicate, timeoutMs = 5000) => {
      const past = calls.find(predicate);
      if (past) return Promise.resolve(past);
      return new Promise<ApiCall>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = calls.map((c) => `${c.method}${c.ok ? "" : `(${c.errorCode})`}`).join(", ");
          reject(new Error(`waitFor: no matching call within ${timeoutMs} ms; calls so far: ${seen || "none"}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    blockChat: (chatId, description) => {
      const id = store.resolveChatId(chatId);
      const fallback = id > 0 ? "Forbidden: bot was blocked by the user" : "Forbidden: bot was kicked from the group chat";
      store.blocked.set(id, description ?? fallback);
    },
    unblockChat: (chatId) => void store.blocked.delete(store.resolveChatId(chatId)),
    migrateChat: (oldId, newId) => {
      store.migrated.set(oldId, newId);
      store.registerChat({ ...store.chat(newId), type: "supergroup" });
    },
    failNext: (method, n, error) => {
      const key = method === "*" ? "*" : (canonical.get(method.toLowerCase()) ?? method);
      const queue = failures.get(key) ?? [];
      for (let i = 0; i < n; i++) queue.push(error);
      failures.set(key, queue);
    },
    setDown: (downFor) => {
      down = downFor && {
        status: downFor.status,
        ...(downFor.chatId !== undefined ? { chatId: store.resolveChatId(downFor.chatId) } : {}),
        ...(downFor.description !== undefined ? { description: downFor.description } : {}),
      };
    },
    setChatAdmins: (chatId, userIds) => void store.admins.set(store.resolveChatId(chatId), [...userIds]),
    putFile: (content, opts = {}) => files.put(Buffer.from(content), opts.kind, opts.fileName),
    fileContent: (fileId) => files.get(fileId)?.content,
    registerChat: (chat) => store.registerChat(chat),
    addForumTopic: (chatId, name, topicOpts = {}) => {
      const id = store.resolveChatId(chatId);
      const createdBy = topicOpts.createdBy ?? store.admins.get(id)?.[0] ?? 1;
      return forumTopicOf(store.forum.create(store, id, name, topicOpts.iconColor ?? TOPIC_ICON_COLORS[0], createdBy, Math.floor(now() / 1000)));
    },
    forumTopics: (chatId) => store.forum.list(store.resolveChatId(chatId)),
    setCanManageTopics: (chatId, allowed) => {
      const id = store.resolveChatId(chatId);
      if (allowed) store.forum.topicRightsDenied.delete(id);
      else store.forum.topicRightsDenied.add(id);
    },
    commandsShown: (chatId, userId, languageCode) => commandsShown(store, chatId, userId, languageCode),
    setLimits: (limits) => ctx.limiter.set(limits),
    stats: () => ({ ...counts, messagesSent: ctx.counters.messagesSent, paidMessages: ctx.counters.paidMessages, updatesDelivered: feed.delivered }),
    webhookUrl: () => feed.webhook?.url ?? "",
    isLongPolling: () => feed.holdingPoll,
    close: async () => {
      feed.close();
      for (const waiter of waiters) waiters.delete(waiter);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Whether any string in `value` (deeply) holds half a surrogate pair, which is not valid UTF-8. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === "object" && !Buffer.isBuffer(value)) return Object.values(value).some(hasLoneSurrogate);
  return false;
}
