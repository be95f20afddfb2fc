import { z } from "zod";

/** What a reader's message carries; `other` kinds are refused at intake. */
export const TIP_KINDS = [
  "text",
  "photo",
  "video",
  "video_note",
  "voice",
  "audio",
  "document",
  "animation",
  "location",
  "contact",
] as const;
export type TipKind = (typeof TIP_KINDS)[number];

export const TIP_STATUSES = ["new", "checking", "published", "declined"] as const;
export type TipStatus = (typeof TIP_STATUSES)[number];

const LangSchema = z.enum(["zh-CN", "en"]);

export const TipItemSchema = z.object({
  /** Message id in the reader's private chat. */
  id: z.number().int(),
  kind: z.enum(TIP_KINDS),
  /** Characters of text or caption. */
  chars: z.number().int().min(0),
  album: z.string().optional(),
});
export type TipItem = z.infer<typeof TipItemSchema>;

/** An unfinished tip, one per private chat. */
export const DraftSchema = z.object({
  startedAt: z.number(),
  expiresAt: z.number(),
  /** Anonymous unless the reader chose to show their name. */
  anonymous: z.boolean(),
  items: z.array(TipItemSchema),
  /** Albums already acknowledged, so an album of ten gets one answer. */
  ackedAlbums: z.array(z.string()).default([]),
});
export type Draft = z.infer<typeof DraftSchema>;

/** A sent tip; it carries its own delivery state so a restart resumes where it stopped. */
export const TipRecordSchema = z.object({
  ref: z.string(),
  readerChatId: z.number().int(),
  lang: LangSchema,
  anonymous: z.boolean(),
  /** Kept only when the reader chose to show them. */
  readerName: z.string().optional(),
  readerUsername: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number(),
  items: z.array(TipItemSchema),
  status: z.enum(TIP_STATUSES),
  /** Keys in the links namespace that point at this tip (deleted with it). */
  links: z.array(z.string()),
  delivery: z.object({
    cardMessageId: z.number().int().optional(),
    /** Batches of up to 100 messages already copied to the newsroom. */
    copiedBatches: z.number().int().min(0),
    done: z.boolean(),
  }),
});
export type TipRecord = z.infer<typeof TipRecordSchema>;

/** Work for the newsroom chat, done in order by the dispatcher. */
export const TipJobSchema = z.discriminatedUnion("kind", [
  z.object({ id: z.number().int(), ref: z.string(), kind: z.literal("tip"), failures: z.number().int().default(0) }),
  z.object({
    id: z.number().int(),
    ref: z.string(),
    kind: z.literal("answer"),
    fromChatId: z.number().int(),
    messageId: z.number().int(),
    failures: z.number().int().default(0),
  }),
  z.object({
    id: z.number().int(),
    ref: z.string(),
    kind: z.literal("answer-text"),
    text: z.string(),
    failures: z.number().int().default(0),
  }),
]);
export type TipJob = z.infer<typeof TipJobSchema>;

export const TipQueueSchema = z.object({ nextId: z.number().int(), jobs: z.array(TipJobSchema) });
export type TipQueue = z.infer<typeof TipQueueSchema>;

export const LinkSchema = z.object({ ref: z.string(), expiresAt: z.number() });
export const ReaderIndexSchema = z.object({ refs: z.array(z.string()), expiresAt: z.number() });
export const BlockSchema = z.object({ ref: z.string(), told: z.boolean() });
export const RateSchema = z.object({ sentAt: z.array(z.number()) });

/** Set by /done: messages with lower ids that arrive later (same polling batch) belong to that tip. */
export const SentMarkSchema = z.object({ ref: z.string(), doneMessageId: z.number().int(), expiresAt: z.number() });
