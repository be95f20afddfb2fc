import { Composer } from "telegraf";
import { canManageChat } from "../src/bot/admin.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { ChatRepo } from "../src/chats/repo.js";
import { formatHhMm, localTime, parseHhMm, parseQuiet } from "../src/schedule/local-time.js";
import { ensureChat } from "./subscriptions.js";

export interface SettingsDeps {
  chats: ChatRepo;
  timeZone: string;
  /** Remembers that today's digest is done when a reader picks a time already past today. */
  markDigestDone: (chatId: number, localDate: string) => Promise<void>;
  now: () => number;
  /** Lets what quiet hours held for the chat go again (it is checked against the new settings at send time). */
  releaseHeld: (chatId: number) => Promise<unknown>;
}

const OFF = /^(off|关|关闭|取消|none)$/i;

/** `/digest HH:MM|off` and `/quiet HH-HH|off` (group admins only in groups). */
export function settingsCommands(deps: SettingsDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();

  c.command("digest", async (ctx) => {
    const arg = ctx.payload.trim();
    const minutes = parseHhMm(arg);
    if (!OFF.test(arg) && minutes === null) {
      await ctx.reply(ctx.m.digestUsage());
      return;
    }
    if (!(await canManageChat(ctx))) {
      await ctx.reply(ctx.m.groupAdminsOnly());
      return;
    }
    await ensureChat(deps.chats, ctx);
    if (minutes === null) {
      await deps.chats.update(ctx.chat.id, (r) => {
        delete r.digestAt;
      });
      await deps.releaseHeld(ctx.chat.id);
      await ctx.reply(ctx.m.digestOff());
      return;
    }
    const time = formatHhMm(minutes);
    const local = localTime(deps.now(), deps.timeZone);
    // A time already past today starts tomorrow, not with an immediate digest.
    if (local.minutes >= minutes) await deps.markDigestDone(ctx.chat.id, local.date);
    await deps.chats.update(ctx.chat.id, (r) => {
      r.digestAt = time;
    });
    await ctx.reply(ctx.m.digestSet({ time, tz: deps.timeZone }), { parse_mode: "HTML" });
  });

  c.command("quiet", async (ctx) => {
    const arg = ctx.payload.trim();
    const quiet = OFF.test(arg) ? null : parseQuiet(arg);
    if (!OFF.test(arg) && !quiet) {
      await ctx.reply(ctx.m.quietUsage());
      return;
    }
    if (!(await canManageChat(ctx))) {
      await ctx.reply(ctx.m.groupAdminsOnly());
      return;
    }
    await ensureChat(deps.chats, ctx);
    await deps.chats.update(ctx.chat.id, (r) => {
      if (quiet) r.quiet = quiet;
      else delete r.quiet;
    });
    // Ended or changed quiet hours: what they held is delivered now, or held again under the new hours.
    await deps.releaseHeld(ctx.chat.id);
    await ctx.reply(
      quiet
        ? ctx.m.quietSet({ from: formatHhMm(quiet.fromHour * 60), to: formatHhMm(quiet.toHour * 60), tz: deps.timeZone })
        : ctx.m.quietOff(),
      { parse_mode: "HTML" },
    );
  });

  return c;
}
