import type { NewsdeskContext } from "../bot/context.js";
import { forgetKeyboard } from "./buttons.js";
import type { TipDeps } from "./deps.js";

/** `/forget`: says exactly what each choice deletes and asks (tips only / everything / nothing). */
export async function askForget(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  let tips = 0;
  for (const ref of await deps.repo.readerRefs(chatId)) if (await deps.repo.getTip(ref)) tips++;
  const draft = (await deps.repo.getDraft(chatId)) !== undefined;
  const rest = (await deps.everything?.summary(chatId, ctx.lang)) ?? { topics: [], lang: false };
  await ctx.reply(ctx.m.tipForgetAsk({ tips, draft, ...rest }), { parse_mode: "HTML", reply_markup: forgetKeyboard(ctx.m) });
}

/** The reader's choice on the /forget question. */
export async function forgetChoice(deps: TipDeps, ctx: NewsdeskContext, scope: "tips" | "all" | "no"): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined || ctx.chat?.type !== "private") {
    await ctx.answerCbQuery(ctx.m.tipBadButton());
    return;
  }
  await ctx.answerCbQuery();
  await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
  if (scope === "no") {
    await ctx.reply(ctx.m.tipForgetKept());
    return;
  }
  const count = await deps.repo.forgetReader(chatId);
  if (scope === "all") await deps.everything?.erase(chatId);
  deps.logger.info({ tips: count, scope }, "reader data forgotten on request");
  await ctx.reply(scope === "all" ? ctx.m.tipForgottenAll({ count }) : ctx.m.tipForgotten({ count }));
}
