import type { NewsdeskContext } from "../bot/context.js";
import { draftKeyboard } from "./buttons.js";
import type { TipDeps } from "./deps.js";
import { kindCounts } from "./message.js";

/** A status message further up than this many messages is out of sight: a new one is sent instead of an edit. */
const OUT_OF_SIGHT_MESSAGES = 10;

function isNotModified(err: unknown): boolean {
  return typeof err === "object" && err !== null && "description" in err && String(err.description).includes("message is not modified");
}

/**
 * Acknowledges what the draft holds: one status message per draft, edited with the running count
 * (album parts arriving together cost one send and at most one edit, not one message each).
 */
export async function showDraftStatus(deps: TipDeps, ctx: NewsdeskContext, chatId: number): Promise<void> {
  await deps.repo.locked(`draft-status:${chatId}`, async () => {
    const draft = await deps.repo.getDraft(chatId);
    if (!draft || draft.items.length === 0) return;
    const count = draft.items.length;
    if (draft.statusMessageId !== undefined && draft.shownCount === count) return;
    const text = ctx.m.tipStatus({ count, kinds: kindCounts(draft.items) });
    const extra = { parse_mode: "HTML" as const, reply_markup: draftKeyboard(ctx.m) };
    const latest = ctx.message?.message_id ?? 0;
    let id = draft.statusMessageId;
    let shown = false;
    if (id !== undefined && latest - id <= OUT_OF_SIGHT_MESSAGES) {
      try {
        await ctx.telegram.editMessageText(chatId, id, undefined, text, extra);
        shown = true;
      } catch (err) {
        shown = isNotModified(err);
      }
    }
    if (!shown) id = (await ctx.telegram.sendMessage(chatId, text, extra)).message_id;
    await deps.repo.updateDraft(chatId, (d) =>
      Promise.resolve(d ? { draft: { ...d, statusMessageId: id, shownCount: count }, result: undefined } : { result: undefined }),
    );
  });
}
