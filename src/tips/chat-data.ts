import type Keyv from "keyv";
import { topicName, type TopicDef } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import { DeadLetters } from "../delivery/deadletter.js";
import { formatHhMm } from "../schedule/local-time.js";
import type { ChatDataEraser } from "./deps.js";

/**
 * What /forget "everything" covers beyond the tip line: the chat record (subscriptions, digest
 * time, quiet hours, language), the digest marker and the local outbox's dead letters of the chat.
 */
export function chatDataEraser(o: { chats: ChatRepo; digests: Keyv; outbox: Keyv; topics: () => readonly TopicDef[] }): ChatDataEraser {
  return {
    async summary(chatId, lang) {
      const record = await o.chats.get(chatId).catch(() => undefined);
      const topics = o.topics();
      return {
        topics: (record?.topics ?? []).map((id) => {
          const topic = topics.find((t) => t.id === id);
          return topic ? topicName(topic, lang) : id;
        }),
        digestAt: record?.digestAt,
        quiet: record?.quiet ? `${formatHhMm(record.quiet.fromHour * 60)}–${formatHhMm(record.quiet.toHour * 60)}` : undefined,
        lang: record?.lang !== undefined,
      };
    },
    async erase(chatId) {
      await o.chats.delete(chatId);
      await o.digests.delete(String(chatId));
      await new DeadLetters(o.outbox).forgetChat(chatId);
    },
  };
}
