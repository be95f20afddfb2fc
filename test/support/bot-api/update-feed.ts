import type { Update } from "telegraf/types";
import { ApiFailure, badRequest } from "./errors.js";
import { numberParam } from "./context.js";
import type { Params } from "./types.js";

const TERMINATED = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const WEBHOOK_ACTIVE = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** Update types Telegram leaves out unless allowed_updates names them. */
const OPT_IN = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** Thrown to a pending getUpdates whose client went away; the server writes nothing for it. */
export class ClientGone extends Error {}

interface Webhook {
  url: string;
  secretToken: string | undefined;
  maxConnections: number;
  allowedUpdates: string[] | undefined;
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

interface Waiter {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Runs a method the bot put into its webhook answer (telegraf's webhookReply). */
export type WebhookReplyRunner = (method: string, params: Params) => Promise<void>;

function typeOf(update: Update): string {
  return Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
}

/** The queue of pending updates, served by getUpdates long polling or pushed to a webhook. */
export class UpdateFeed {
  private queue: Update[] = [];
  private waiter: Waiter | null = null;
  private allowed: string[] = [];
  private highestHandedOut = -Infinity;
  private pumping = false;
  private closed = false;
  private readonly abort = new AbortController();
  webhook: Webhook | null = null;
  delivered = 0;

  constructor(
    private readonly runWebhookReply: WebhookReplyRunner,
    private readonly webhookRetryMs: number,
  ) {}

  /** Queues an update; wakes a waiting getUpdates or starts a webhook delivery. */
  push(update: Update): void {
    this.queue.push(update);
    this.wake();
    if (this.webhook) void this.pump();
  }

  /** True while a getUpdates call is being held open. */
  get holdingPoll(): boolean {
    return this.waiter !== null;
  }

  /** Pending (unconfirmed) updates. */
  get pendingCount(): number {
    return this.queue.length;
  }

  getUpdates(params: Params, gone: AbortSignal): Update[] | Promise<Update[]> {
    if (this.webhook) throw new ApiFailure(409, WEBHOOK_ACTIVE);
    // like Telegram, the newer request wins and the older one is told why it ended
    this.terminateWaiter(new ApiFailure(409, TERMINATED));
    if (Array.isArray(params.allowed_updates)) this.allowed = params.allowed_updates as string[];
    const offset = numberParam(params.offset) ?? 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    if (offset < 0) this.queue = this.queue.slice(offset);
    const limit = Math.min(100, Math.max(1, numberParam(params.limit) ?? 100));
    const timeoutSeconds = Math.max(0, numberParam(params.timeout) ?? 0);
    const ready = this.take(limit);
    if (ready.length > 0 || timeoutSeconds === 0) return ready;
    return new Promise<Update[]>((resolve, reject) => {
      const waiter: Waiter = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiter = null;
          resolve([]);
        }, timeoutSeconds * 1000),
      };
      this.waiter = waiter;
      gone.addEventListener("abort", () => {
        if (this.waiter !== waiter) return;
        this.terminateWaiter(new ClientGone("client closed the request"));
      });
    });
  }

  setWebhook(params: Params): true {
    const url = typeof params.url === "string" ? params.url : "";
    if (url !== "" && !/^https?:\/\//i.test(url)) throw badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
    const secretToken = typeof params.secret_token === "string" ? params.secret_token : undefined;
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) {
      throw badRequest("secret token contains unallowed characters");
    }
    if (params.drop_pending_updates === true || params.drop_pending_updates === "true") this.queue = [];
    if (url === "") {
      this.webhook = null;
      return true;
    }
    const allowed = Array.isArray(params.allowed_updates) ? (params.allowed_updates as string[]) : undefined;
    if (allowed) this.allowed = allowed;
    this.webhook = { url, secretToken, maxConnections: numberParam(params.max_connections) ?? 40, allowedUpdates: allowed };
    this.terminateWaiter(new ApiFailure(409, WEBHOOK_ACTIVE));
    void this.pump();
    return true;
  }

  deleteWebhook(params: Params): true {
    if (params.drop_pending_updates === true || params.drop_pending_updates === "true") this.queue = [];
    this.webhook = null;
    return true;
  }

  webhookInfo(): Record<string, unknown> {
    const hook = this.webhook;
    return {
      url: hook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.queue.length,
      ...(hook
        ? {
            max_connections: hook.maxConnections,
            ...(hook.allowedUpdates ? { allowed_updates: hook.allowedUpdates } : {}),
            ...(hook.lastErrorDate !== undefined ? { last_error_date: hook.lastErrorDate, last_error_message: hook.lastErrorMessage } : {}),
          }
        : {}),
    };
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    const waiter = this.waiter;
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiter = null;
      waiter.resolve([]);
    }
  }

  private isAllowed(update: Update): boolean {
    const type = typeOf(update);
    return this.allowed.length > 0 ? this.allowed.includes(type) : !OPT_IN.has(type);
  }

  /** Drops updates the bot did not ask for and returns the first `limit` of the rest (kept until confirmed). */
  private take(limit: number): Update[] {
    this.queue = this.queue.filter((u) => this.isAllowed(u));
    const ready = this.queue.slice(0, limit);
    for (const update of ready) {
      if (update.update_id > this.highestHandedOut) {
        this.highestHandedOut = update.update_id;
        this.delivered++;
      }
    }
    return ready;
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    const ready = this.take(waiter.limit);
    if (ready.length === 0) return;
    clearTimeout(waiter.timer);
    this.waiter = null;
    waiter.resolve(ready);
  }

  private terminateWaiter(error: Error): void {
    const waiter = this.waiter;
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.waiter = null;
    waiter.reject(error);
  }

  /** Delivers queued updates to the webhook one at a time, retrying failures like Telegram does. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.webhook && !this.closed) {
        const update = this.queue.find((u) => this.isAllowed(u));
        if (!update) break;
        const hook = this.webhook;
        const ok = await this.post(hook, update);
        if (ok) {
          this.queue = this.queue.filter((u) => u !== update);
          this.delivered++;
        } else if (!this.closed) {
          await new Promise((resolve) => setTimeout(resolve, this.webhookRetryMs));
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async post(hook: Webhook, update: Update): Promise<boolean> {
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (hook.secretToken) headers["x-telegram-bot-api-secret-token"] = hook.secretToken;
      const res = await fetch(hook.url, { method: "POST", headers, body: JSON.stringify(update), signal: this.abort.signal });
      const body = await res.text();
      if (!res.ok) {
        hook.lastErrorDate = Math.floor(Date.now() / 1000);
        hook.lastErrorMessage = `Wrong response from the webhook: ${res.status} ${res.statusText}`;
        return false;
      }
      const reply = parseReply(body);
      if (reply) await this.runWebhookReply(reply.method, reply.params);
      return true;
    } catch (error) {
      hook.lastErrorDate = Math.floor(Date.now() / 1000);
      hook.lastErrorMessage = error instanceof Error ? error.message : "Connection failed";
      return false;
    }
  }
}

function parseReply(body: string): { method: string; params: Params } | undefined {
  if (body.trim() === "") return undefined;
  try {
    const parsed = JSON.parse(body) as Params;
    if (typeof parsed.method !== "string") return undefined;
    const { method, ...params } = parsed;
    return { method, params };
  } catch {
    return undefined;
  }
}
