import type { Telegram } from "telegraf";
import type { Sleep } from "../delivery/time.js";
import type { Logger } from "../log.js";

/**
 * `channel.chatId` may be "@name": Telegram tells the numeric id. A failure is retried with backoff
 * until it works or `signal` aborts (a network blip at start must not cut the channel off).
 */
export async function resolveChannel(
  id: number | string | undefined,
  telegram: Pick<Telegram, "getChat">,
  logger: Logger,
  sleep: Sleep,
  signal: AbortSignal,
): Promise<number | undefined> {
  if (id === undefined || typeof id === "number") return id;
  for (let delayMs = 5000; !signal.aborted; delayMs = Math.min(delayMs * 2, 300_000)) {
    try {
      return (await telegram.getChat(id)).id;
    } catch (err) {
      logger.error({ err, channel: id, retryInMs: delayMs }, "cannot resolve the channel yet; its posts are held");
      await sleep(delayMs, signal);
    }
  }
  return undefined;
}
