import type { LiveTopic } from "../articles/topic-registry.js";
import { topicName } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import { messages, type Lang } from "../i18n/index.js";
import type { DeliveryQueue } from "../runtime/types.js";

export interface TopicRemovalDeps {
  chats: Pick<ChatRepo, "list" | "unsubscribe">;
  outbox: Pick<DeliveryQueue, "fanOut">;
  /** Language of a chat that never chose one (config `locale`). */
  defaultLang: Lang;
}

/**
 * After a topic left the registry: every chat that followed it stops following it (inactive ones
 * too, so the topic does not come back to them if an id is reused), and each active one is told in
 * its own language, through the durable queue (one fan-out per language). `fanOutId` makes a repeat
 * (a retried confirmation) queue nothing twice. Returns how many chats were told.
 */
export async function retireTopic(deps: TopicRemovalDeps, topic: Pick<LiveTopic, "id" | "name">, fanOutId: string): Promise<number> {
  const byLang = new Map<Lang, number[]>();
  for await (const chat of deps.chats.list()) {
    if (!chat.topics.includes(topic.id)) continue;
    await deps.chats.unsubscribe(chat.id, topic.id);
    if (!chat.active) continue;
    const lang = chat.lang ?? deps.defaultLang;
    const list = byLang.get(lang) ?? [];
    list.push(chat.id);
    byLang.set(lang, list);
  }
  let told = 0;
  for (const [lang, recipients] of byLang) {
    const text = messages(lang).topicRetired({ topic: topicName(topic, lang) });
    await deps.outbox.fanOut({
      id: `${fanOutId}:${lang}`,
      priority: "bulk",
      payload: { kind: "call", method: "sendMessage", params: { text, parse_mode: "HTML" } },
      recipients,
    });
    told += recipients.length;
  }
  return told;
}
