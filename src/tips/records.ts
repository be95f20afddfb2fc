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
/** Statuses that close a tip (its forum topic is closed too). */
export const CLOSED_TIP_STATUSES: readonly TipStatus[] = ["published", "declined"];

const LangSchema = z.enum(["zh-CN", "en"]);

export const TipItemSchema = z.object({
  /** Message id in the reader's private chat. */
  id: z.number().int(),
  kind: z.enum(TIP_KINDS),
  /** Characters of text or caption. */
  chars: z.number().int().min(0),
  album: z.string().optional(),
  /** The reader's own contact card, added after they were warned (shown on the card). */
  ownContact: z.boolean().optional(),
});
export type TipItem = z.infer<typeof TipItemSchema>;

/** A message held back from a draft until the reader answers a question about it. */
export const PendingItemSchema = TipItemSchema.extend({
  /** `query`: a short line that may be a search; `own-contact`: the reader's own contact in an anonymous tip. */
  why: z.enum(["query", "own-contact"]),
});
export type PendingItem = z.infer<typeof PendingItemSchema>;

/** An unfinished tip, one per private chat. */
export const DraftSchema = z.object({
  startedAt: z.number(),
  expiresAt: z.number(),
  /** Anonymous unless the reader chose to show their name. */
  anonymous: z.boolean(),
  items: z.array(TipItemSchema),
  /** Albums already acknowledged, so an album of ten gets one answer. */
  ackedAlbums: z.array(z.string()).default([]),
  /** Language of the chat when the draft was opened (reminders and expiry notices go out without an update). */
  lang: LangSchema.optional(),
  /** The one status message edited with the running count, and the count it shows. */
  statusMessageId: z.number().int().optional(),
  shownCount: z.number().int().optional(),
  /** When the one reminder went out (the sweep never sends a second). */
  remindedAt: z.number().optional(),
  /** The reader said a short line belongs to the tip: later short lines are not asked about again. */
  shortLinesAreTip: z.boolean().optional(),
  /** Messages waiting for the reader's answer (add to tip / search instead, own contact). */
  pending: z.array(PendingItemSchema).optional(),
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
    /**
     * The tip's forum topic in the newsroom (a forum supergroup): stored before anything is sent
     * into it, so a restart reuses it; 0 when the tip has none (no forum, or Telegram refused one).
     */
    threadId: z.number().int().optional(),
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
/**
 * A block, stored under a one-way fingerprint of the reader's chat (never the id itself), so it
 * survives /forget and the tip's expiry; `blockRef` (`B-…`) lets staff lift it without the tip.
 */
export const BlockSchema = z.object({ blockRef: z.string(), ref: z.string().optional(), told: z.boolean(), createdAt: z.number().default(0) });
export type Block = z.infer<typeof BlockSchema>;
/** `ref:<B-…>` → the fingerprint the block is stored under. */
export const BlockIndexSchema = z.object({ key: z.string() });
/** A block written before blocks were fingerprinted (`tip_blocks/<chat id>`), read once and moved. */
export const LegacyBlockSchema = z.object({ ref: z.string(), told: z.boolean() });
export const RateSchema = z.object({ sentAt: z.array(z.number()) });

/** Set by /done: messages with lower ids that arrive later (same polling batch) belong to that tip. */
export const SentMarkSchema = z.object({ ref: z.string(), doneMessageId: z.number().int(), expiresAt: z.number() });
