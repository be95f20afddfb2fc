import { Composer } from "telegraf";
import type { NewsdeskContext } from "../src/bot/context.js";
import type { TipDeps } from "../src/tips/deps.js";
import { relayReply, staffCommand, staffCommandOf } from "../src/tips/relay.js";

/**
 * Newsroom side of the tip line: `/status <ref> <new|checking|published|declined>`, `/block <ref>`,
 * `/unblock <ref>` (staff only: the newsroom chat or newsroom.admins), and replies to tip cards or
 * copies in the newsroom chat, relayed to the reader. Handles messages and channel posts alike (a
 * newsroom that is a channel has no `from`). Non-staff get a polite refusal and a log line.
 */
export function tipStaffCommands(deps: TipDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.on(["message", "channel_post"], async (ctx, next) => {
    const cmd = staffCommandOf(ctx);
    if (cmd) return staffCommand(deps, ctx, cmd);
    if (await relayReply(deps, ctx)) return;
    return next();
  });
  return c;
}
