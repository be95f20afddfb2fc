import type { Clock, Sleep } from "../delivery/time.js";
import type { Logger } from "../log.js";
import { TelegramClient, type Transformer } from "./client.js";
import { paced, type SendPacing } from "./pacing.js";

/** The bot's Telegram clients: one transformer chain each, one shared budget. */
export interface TelegramClients {
  /** Replies and the bot's own calls: a reply waits up to 10 s for its slot and waits out short 429s. */
  replies: () => TelegramClient;
  /** The newsroom queue: waits as long as the budget needs (it runs in the background). */
  readonly tips: TelegramClient;
  /** Bulk delivery: the delivery queue takes its slots itself; `transformers` add e.g. the photo watch. */
  bulk(transformers: readonly Transformer[]): TelegramClient;
}

/** Builds the clients on `pacing`, the runtime's budget. */
export function telegramClients(
  token: string,
  apiRoot: string,
  o: { pacing: SendPacing; clock: Clock; sleep: Sleep; logger: Logger; metered: Transformer },
): TelegramClients {
  const replyPacing = paced({ ...o, maxWaitMs: 10_000, maxRetryAfterMs: 12_000 });
  return {
    replies: () => new TelegramClient(token, { apiRoot }, [o.metered, replyPacing]),
    tips: new TelegramClient(token, { apiRoot }, [o.metered, paced({ ...o, maxWaitMs: 60_000, maxRetryAfterMs: 300_000 })]),
    bulk: (transformers) => new TelegramClient(token, { apiRoot }, [o.metered, ...transformers]),
  };
}
