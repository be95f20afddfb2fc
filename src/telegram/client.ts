import { Telegram } from "telegraf";
import type { Opts, Telegram as ApiMethods } from "telegraf/types";

/** One Bot API call with the method as data; failures throw telegraf's TelegramError shape or a network error. */
export type ApiCall = (method: string, payload: Record<string, unknown>, signal?: AbortSignal) => Promise<unknown>;

/**
 * Per-call behaviour layered around the raw call (in the spirit of grammY's `api.config.use`):
 * pacing, metrics, remembering failed photos. The first transformer in a list is the outermost.
 */
export type Transformer = (next: ApiCall) => ApiCall;

/** Where the client sends its requests. */
export interface TelegramClientOptions {
  /** Bot API root (a local Bot API server, or a test double). */
  apiRoot: string;
}

/**
 * telegraf's `Telegram` whose every call — typed methods (`sendMessage`, `getMe`…) and the
 * outbox's method-as-data `call` alike — runs through the same transformers. The bot's handlers,
 * bulk delivery and the tip queue each get one, built by the composition root.
 */
export class TelegramClient extends Telegram {
  /** The transformed call, for senders that carry methods as data. */
  readonly call: ApiCall;

  constructor(token: string, options: TelegramClientOptions, transformers: readonly Transformer[] = []) {
    super(token, { apiRoot: options.apiRoot, webhookReply: false });
    // telegraf types its signal with the abort-controller polyfill; Node's own AbortSignal is what it gets at run time.
    const raw: ApiCall = (method, payload, signal) => super.callApi(method as never, payload as never, { signal: signal as never });
    this.call = transformers.reduceRight<ApiCall>((next, transform) => transform(next), raw);
  }

  override callApi<M extends keyof ApiMethods>(method: M, payload: Opts<M>, extra?: { signal?: unknown }): Promise<ReturnType<ApiMethods[M]>> {
    return this.call(method, (payload ?? {}), extra?.signal as AbortSignal | undefined) as Promise<ReturnType<ApiMethods[M]>>;
  }
}

/** Methods that put a message in a chat and so count against Telegram's send limits. */
export const SENDING_METHODS: ReadonlySet<string> = new Set([
  "sendMessage",
  "sendPhoto",
  "sendVideo",
  "sendAudio",
  "sendVoice",
  "sendDocument",
  "sendAnimation",
  "sendSticker",
  "sendLocation",
  "sendVenue",
  "sendContact",
  "sendPoll",
  "sendDice",
  "sendMediaGroup",
  "copyMessage",
  "copyMessages",
  "forwardMessage",
  "forwardMessages",
]);

/** The chat a sending call goes to, or undefined for calls that are not sends to one chat. */
export function sendTarget(method: string, payload: Record<string, unknown>): number | undefined {
  if (!SENDING_METHODS.has(method)) return undefined;
  const raw = payload.chat_id;
  const chatId = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
  return Number.isFinite(chatId) ? chatId : undefined;
}
