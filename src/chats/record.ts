import { z } from "zod";
import { LANGS } from "../i18n/lang.js";

/** Chat types as Telegram names them. */
export const CHAT_TYPES = ["private", "group", "supergroup", "channel"] as const;
export type ChatType = (typeof CHAT_TYPES)[number];

/** A forum thread a subscription goes to: its id and, when the bot saw it, the thread's name. */
export const ThreadSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(128).optional(),
});
export type ThreadRef = z.infer<typeof ThreadSchema>;

/** One chat the bot delivers to, with its subscriptions and preferences; validated when read back. */
export const ChatRecordSchema = z.object({
  id: z.number().int(),
  type: z.enum(CHAT_TYPES),
  lang: z.enum(LANGS).optional(),
  /** Subscribed topic ids, without duplicates. */
  topics: z.array(z.string().min(1)),
  /**
   * Forum groups only: the forum thread (`message_thread_id`) each subscribed topic goes to, by
   * topic id; a topic without an entry goes to the General topic. Absent in records written before
   * forum support, which therefore still deliver to General.
   */
  threads: z.record(z.string(), ThreadSchema).optional(),
  /** Local time of the daily digest, "HH:MM"; unset = instant pushes. */
  digestAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .optional(),
  /** No pushes from `fromHour` to `toHour` (local, may wrap past midnight). */
  quiet: z.object({ fromHour: z.number().int().min(0).max(23), toHour: z.number().int().min(0).max(23) }).optional(),
  /** false once Telegram said the chat is gone (blocked, kicked); topics are kept for a later /start. */
  active: z.boolean(),
  inactiveReason: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type ChatRecord = z.infer<typeof ChatRecordSchema>;

/** Store key of a chat record. */
export const chatKey = (id: number): string => `chat:${id}`;
