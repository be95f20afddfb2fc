import Keyv from "keyv";
import { ChatRepo } from "../../src/chats/repo.js";
import { Outbox } from "../../src/delivery/outbox.js";
import { Pacer, type PacerOptions } from "../../src/delivery/pacer.js";
import { Sender, type SenderEvent, type SenderOptions } from "../../src/delivery/sender.js";
import type { DeliveryPayload } from "../../src/delivery/types.js";
import { FakeTelegram, VirtualTime } from "./fakes.js";

/** A payload for a plain text message. */
export const text = (t: string): DeliveryPayload => ({ kind: "call", method: "sendMessage", params: { text: t } });

/** Outbox + chat repo + fake Telegram + sender on virtual time. */
export async function rig(opts: { pacer?: PacerOptions; sender?: Partial<SenderOptions>; kv?: Keyv } = {}) {
  const time = new VirtualTime();
  const kv = opts.kv ?? new Keyv();
  const outbox = new Outbox(kv, { clock: time });
  await outbox.load();
  const chats = new ChatRepo(new Keyv(), { clock: time });
  await chats.load();
  const telegram = new FakeTelegram(time);
  const events: SenderEvent[] = [];
  const sender = new Sender({
    outbox,
    telegram,
    chats,
    clock: time,
    sleep: time.sleep,
    pacer: new Pacer(time, opts.pacer),
    onEvent: (e) => events.push(e),
    ...opts.sender,
  });
  return { time, kv, outbox, chats, telegram, sender, events };
}
