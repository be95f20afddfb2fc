import type { StaffPolicy } from "../bot/staff.js";
import type { Clock } from "../delivery/time.js";
import type { Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import type { TipRepo } from "./repo.js";

/** The `tips` section of the config. */
export interface TipLimits {
  maxPerHour: number;
  maxAttachments: number;
  maxTextChars: number;
  retentionDays: number;
  draftHours: number;
}

/** What the tip handlers need; built by createTipLine. */
export interface TipDeps {
  repo: TipRepo;
  /** Wakes the dispatcher after work was queued. */
  kick: () => void;
  limits: TipLimits;
  /** Hotline and web contact shown by /tip. */
  contact: { hotline?: string | undefined; web?: string | undefined };
  policy: StaffPolicy;
  /** Language of what the newsroom chat shares (cards, their buttons, topic names): config.locale. */
  newsroomLang: Lang;
  logger: Logger;
  clock: Clock;
  /** A reader's chosen language (the lang store); falls back to the language stored with the tip. */
  langOf: (chatId: number) => Promise<Lang | undefined>;
  /** What /forget "everything" also deletes (subscriptions, settings, digests, dead letters); default none. */
  everything?: ChatDataEraser | undefined;
}

/** The chat's data beyond the tip line, described and deleted for /forget "everything". */
export interface ChatDataEraser {
  /** What is kept now, for the confirmation (topic names in `lang`). */
  summary(chatId: number, lang: Lang): Promise<{ topics: string[]; digestAt?: string | undefined; quiet?: string | undefined; lang: boolean }>;
  /** Deletes it all. */
  erase(chatId: number): Promise<void>;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
