import type Keyv from "keyv";
import type { StaffPolicy } from "../bot/staff.js";
import type { Logger } from "../log.js";

/** The newsroom's staff policy and how it follows the newsroom group to a supergroup id. */
export interface Newsroom {
  /** Shared and mutable: every staff check, tip card and alert reads the current chat id. */
  policy: StaffPolicy;
  /** Telegram moved the newsroom group to `newChatId`: follow it and remember it (idempotent). */
  migrated: (newChatId: number) => Promise<void>;
  /** A chat migrated (ChatRepo's onMigrated): follows it when it is the newsroom. */
  chatMigrated: (oldChatId: number, newChatId: number) => Promise<void>;
}

const MIGRATION_KEY = "newsroom_migration";

/**
 * The staff policy with the newsroom's current chat id: the configured one, or the supergroup it
 * was migrated to (remembered in `settings` while the config still names the old id).
 */
export async function loadNewsroom(newsroom: { chatId?: number | undefined; admins: readonly number[] }, settings: Keyv, logger: Logger): Promise<Newsroom> {
  const configured = newsroom.chatId;
  const policy: StaffPolicy = { newsroomChatId: configured, admins: newsroom.admins };
  const stored = (await settings.get(MIGRATION_KEY)) as { from?: unknown; to?: unknown } | undefined;
  if (stored && stored.from === configured && typeof stored.to === "number") policy.newsroomChatId = stored.to;
  // Idempotent: the tip queue and the sender may both report the same migration.
  const migrated = async (newChatId: number): Promise<void> => {
    const before = (await settings.get(MIGRATION_KEY)) as { to?: unknown } | undefined;
    policy.newsroomChatId = newChatId;
    if (before?.to === newChatId) return;
    logger.warn({ from: configured, to: newChatId }, "the newsroom group became a supergroup; update newsroom.chatId");
    await settings.set(MIGRATION_KEY, { from: configured, to: newChatId });
  };
  return {
    policy,
    migrated,
    chatMigrated: async (oldChatId, newChatId) => {
      if (oldChatId === policy.newsroomChatId) await migrated(newChatId);
    },
  };
}
