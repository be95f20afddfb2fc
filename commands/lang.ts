import { Composer } from "telegraf";
import type { LangStore } from "../src/bot/bot.js";
import { canManageChat } from "../src/bot/admin.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { messages, parseLang } from "../src/i18n/index.js";

/** `/lang zh|en`: the language of the bot's own words in this chat (group admins only in groups). */
export function langCommand(langs: LangStore): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.command("lang", async (ctx) => {
    const lang = parseLang(ctx.payload);
    if (!lang) {
      await ctx.reply(ctx.m.langUsage());
      return;
    }
    if (!(await canManageChat(ctx))) {
      await ctx.reply(ctx.m.langGroupAdminsOnly());
      return;
    }
    await langs.set({ id: ctx.chat.id, type: ctx.chat.type }, lang);
    ctx.lang = lang;
    ctx.m = messages(lang);
    await ctx.reply(ctx.m.langSet());
  });
  return c;
}
