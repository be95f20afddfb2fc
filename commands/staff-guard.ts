import type Keyv from "keyv";
import type { MiddlewareFn } from "telegraf";
import type { z } from "zod";
import type { Update } from "telegraf/types";
import type { NewsdeskContext } from "../src/bot/context.js";
import { staffVerdict, type StaffPolicy } from "../src/bot/staff.js";
import type { Logger } from "../src/log.js";

/** Passes staff on (staffVerdict); anyone else gets a polite refusal and a log line. */
export function staffGuard(policy: StaffPolicy, logger: Logger): MiddlewareFn<NewsdeskContext> {
  return async (ctx, next) => {
    const verdict = staffVerdict(ctx, policy);
    if (verdict.staff) return next();
    logger.warn({ updateType: ctx.updateType, reason: verdict.reason, chatType: ctx.chat?.type }, "staff command refused");
    if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.m.staffOnly(), { show_alert: true });
    else if (ctx.chat && ctx.chat.type !== "channel") await ctx.reply(ctx.m.staffOnly());
  };
}

/**
 * One of `names` at the start of a channel post ("/stats" or "/stats@thisbot"), else undefined:
 * telegraf's command() matches `message` updates only, and a newsroom channel posts channel_post.
 */
export function channelCommand<N extends string>(
  post: Update.ChannelPostUpdate["channel_post"],
  botUsername: string,
  names: readonly N[],
): { name: N; payload: string } | undefined {
  if (!("text" in post)) return undefined;
  const entity = post.entities?.[0];
  if (entity?.type !== "bot_command" || entity.offset !== 0) return undefined;
  const [name, to] = post.text.slice(1, entity.length).split("@");
  if (to && to.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  const known = names.find((c) => c === name);
  return known ? { name: known, payload: post.text.slice(entity.length + 1) } : undefined;
}

/**
 * The confirmation behind a staff Yes/No button (`<prefix>:<draft id>:<y|n>`): answers the press,
 * and resolves with the stored draft (and its id) when it was Yes. Unreadable data, an expired draft or a second
 * tap get an alert; No says "cancelled" in place of the preview. The draft is deleted first, so a
 * double tap acts once.
 */
export async function confirmedDraft<T>(ctx: NewsdeskContext, button: z.ZodType<string>, drafts: Keyv<unknown>, schema: z.ZodType<T>): Promise<{ id: string; draft: T } | undefined> {
  const data = ctx.callbackQuery && "data" in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const valid = button.safeParse(data);
  if (!valid.success) return void (await ctx.answerCbQuery(ctx.m.feedButtonInvalid(), { show_alert: true }));
  const [, id = "", answer] = valid.data.split(":");
  const draft = schema.safeParse(await drafts.get(id));
  if (!draft.success || !(await drafts.delete(id))) return void (await ctx.answerCbQuery(ctx.m.feedDraftExpired(), { show_alert: true }));
  await ctx.answerCbQuery();
  if (answer === "n") return void (await ctx.editMessageText(ctx.m.feedCancelled()).catch(() => undefined));
  return { id, draft: draft.data };
}
