import type { Clock } from "../delivery/time.js";
import { messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { classifyTelegramError } from "../telegram/errors.js";
import { draftKeyboard } from "./buttons.js";
import { HOUR_MS, type TipLimits } from "./deps.js";
import type { TipTelegram } from "./dispatch.js";
import type { Draft } from "./records.js";
import type { TipRepo } from "./repo.js";

export interface DraftSweepOptions {
  repo: TipRepo;
  telegram: TipTelegram;
  limits: TipLimits;
  clock: Clock;
  logger: Logger;
  langOf: (chatId: number) => Promise<Lang | undefined>;
  /** Language when neither the reader's choice nor the draft has one (config.locale). */
  defaultLang: Lang;
}

/** When the one reminder is due: an hour after the reader's last addition (half the draft's life if that is shorter). */
export function reminderDueAt(draft: Draft, draftHours: number): number {
  const lifeMs = draftHours * HOUR_MS;
  return draft.expiresAt - lifeMs + Math.min(HOUR_MS, lifeMs / 2);
}

/**
 * One pass over the stored drafts: each open draft with content gets one reminder (send / drop
 * buttons) before it expires, and an expired one is removed with a notice to the reader. The state
 * lives in the drafts themselves, so a restart neither repeats nor skips a reminder.
 */
export async function sweepDrafts(o: DraftSweepOptions): Promise<{ reminded: number; expired: number }> {
  let reminded = 0;
  let expired = 0;
  for (const chatId of await o.repo.draftChats()) {
    try {
      const gone = await o.repo.takeExpiredDraft(chatId);
      if (gone) {
        if (gone.items.length === 0) continue;
        const m = await langFor(o, chatId, gone);
        await send(o, chatId, { text: m.tipDraftExpired({ count: gone.items.length, draftHours: o.limits.draftHours }) });
        expired++;
        continue;
      }
      const now = o.clock.now();
      const due = await o.repo.updateDraft(chatId, (d) =>
        Promise.resolve(
          d && d.items.length > 0 && d.remindedAt === undefined && now >= reminderDueAt(d, o.limits.draftHours)
            ? { draft: { ...d, remindedAt: now }, result: d }
            : { result: undefined },
        ),
      );
      if (!due) continue;
      const m = await langFor(o, chatId, due);
      const hoursLeft = Math.max(1, Math.ceil((due.expiresAt - now) / HOUR_MS));
      await send(o, chatId, { text: m.tipReminder({ count: due.items.length, hoursLeft }), reply_markup: draftKeyboard(m) });
      reminded++;
    } catch (err) {
      o.logger.warn({ err: classifyTelegramError(err, chatId) }, "could not remind a reader of an unfinished tip");
    }
  }
  return { reminded, expired };
}

async function langFor(o: DraftSweepOptions, chatId: number, draft: Draft): Promise<ReturnType<typeof messages>> {
  const lang = (await o.langOf(chatId).catch(() => undefined)) ?? draft.lang ?? o.defaultLang;
  return messages(lang);
}

async function send(o: DraftSweepOptions, chatId: number, params: Record<string, unknown>): Promise<void> {
  await o.telegram.call("sendMessage", { chat_id: chatId, parse_mode: "HTML", ...params });
}
