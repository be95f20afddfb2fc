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
  logger: Logger;
  clock: Clock;
  /** A reader's chosen language (the lang store); falls back to the language stored with the tip. */
  langOf: (chatId: number) => Promise<Lang | undefined>;
  /** Extra deletion for /forget (e.g. subscriptions); default none. */
  onForget?: ((chatId: number) => Promise<void>) | undefined;
}

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
