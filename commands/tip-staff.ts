import { Composer } from "telegraf";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { TipDeps } from "../src/tips/deps.js";
import { deskButton } from "../src/tips/desk.js";
import { listTips } from "../src/tips/desk-list.js";
import { relayReply, staffCommand, staffCommandOf } from "../src/tips/relay.js";

/**
 * Newsroom side of the tip line: `/status <ref> <new|checking|published|declined>`, `/block <ref>`,
 * `/unblock <ref>` (staff only: the newsroom chat or newsroom.admins), `/tips` in the newsroom chat
 * (open tips, paged), the status and block buttons on tip cards (`desk:…`), and replies to tip
 * cards or copies, or messages in a tip's forum topic, relayed to the reader. Handles messages and
 * channel posts alike (a newsroom that is a channel has no `from`). Non-staff get a polite refusal
 * and a log line. `/tips` anywhere else is the reader's (commands/tip.ts: it starts a tip).
 */
export function tipStaffCommands(deps: TipDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.on(["message", "channel_post"], async (ctx, next) => {
    const cmd = staffCommandOf(ctx);
    if (cmd?.command === "tips") return ctx.chat.id === deps.policy.newsroomChatId ? listTips(deps, ctx) : next();
    if (cmd) return staffCommand(deps, ctx, { command: cmd.command, args: cmd.args });
    if (await relayReply(deps, ctx)) return;
    return next();
  });
  c.action(/^desk:/, (ctx) => deskButton(deps, ctx));
  return c;
}
