import { Composer } from "telegraf";
import type { Update } from "telegraf/types";
import { ANONYMOUS_ADMIN_ID } from "../src/bot/admin.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { staffVerdict, type StaffPolicy } from "../src/bot/staff.js";
import { staffHelp } from "../src/i18n/commands.js";

export interface HelpDeps {
  /** Staff see the staff commands too, in the newsroom chat and in an admin's private chat. */
  policy: StaffPolicy;
}

/** `/help`: the commands, in the reader's language; in the newsroom (or an admin's private chat) the staff commands too. */
export function helpCommand(deps: HelpDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  const answer = async (ctx: NewsdeskContext) => {
    const bot = ctx.botInfo?.username ?? "bot";
    const reader = ctx.m.help().replace("{bot}", bot);
    // Not in reader groups, even for an admin: the group would learn the staff tools.
    const staffChat = ctx.chat?.id === deps.policy.newsroomChatId || ctx.chat?.type === "private";
    const text = staffChat && staffVerdict(ctx, deps.policy).staff ? `${staffHelp(ctx.lang)}\n\n${reader}` : reader;
    await ctx.reply(text, { parse_mode: "HTML" });
  };
  c.help(answer);
  // A channel only answers in the newsroom channel: elsewhere the reply would be posted to every subscriber.
  c.on("channel_post", async (ctx, next) =>
    channelCommand(ctx.channelPost, ctx.me) === "help" && ctx.chat.id === deps.policy.newsroomChatId ? answer(ctx) : next(),
  );
  return c;
}

/**
 * `/id` in any chat, for anyone: the chat's id and the sender's own user id (what newsroom.chatId and
 * newsroom.admins take). Never another user's id: a replied-to or forwarded message is not read.
 */
export function idCommand(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.command("id", async (ctx) => {
    const chat = ctx.chat;
    const msg = ctx.message;
    // Posting as the group (anonymous admin) or as a channel: Telegram gives no user id to show.
    const asChat = "sender_chat" in msg && msg.sender_chat !== undefined;
    const userId = asChat || ctx.from.id === ANONYMOUS_ADMIN_ID ? undefined : ctx.from.id;
    const text =
      chat.type === "private"
        ? ctx.m.idPrivate({ userId: ctx.from.id })
        : userId === undefined
          ? ctx.m.idGroupAnonymous({ chatId: chat.id })
          : ctx.m.idGroup({ chatId: chat.id, userId });
    await ctx.reply(text, { parse_mode: "HTML" });
  });
  c.on("channel_post", async (ctx, next) =>
    channelCommand(ctx.channelPost, ctx.me) === "id" ? ctx.reply(ctx.m.idChannel({ chatId: ctx.chat.id }), { parse_mode: "HTML" }) : next(),
  );
  return c;
}

/** The command a channel post starts with ("/id" or "/id@thisbot"), lower case, or undefined (telegraf's command() skips channel posts). */
function channelCommand(post: Update.ChannelPostUpdate["channel_post"], botUsername: string): string | undefined {
  if (!("text" in post)) return undefined;
  const entity = post.entities?.[0];
  if (entity?.type !== "bot_command" || entity.offset !== 0) return undefined;
  const [name, to] = post.text.slice(1, entity.length).split("@");
  if (to && to.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return name?.toLowerCase();
}

/** Last in the chain, private chats only: an unknown command, or a message no feature took. */
export function fallback(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  // Added to a group: say how the group subscribes (admins only), instead of sitting there silently.
  c.on("my_chat_member", async (ctx, next) => {
    const update = ctx.myChatMember;
    const joined = ["member", "administrator"].includes(update.new_chat_member.status) && ["left", "kicked"].includes(update.old_chat_member.status);
    if (!joined || (ctx.chat.type !== "group" && ctx.chat.type !== "supergroup")) return next();
    const bot = ctx.botInfo?.username ?? "bot";
    await ctx.reply(ctx.m.addedToGroup({ bot }), { parse_mode: "HTML" });
  });
  c.on("message", async (ctx, next) => {
    if (ctx.chat.type !== "private") return next();
    const text = "text" in ctx.message ? ctx.message.text : undefined;
    // /cancel when nothing is open (the tip line takes it when a tip is): say so, not "unknown command".
    if (text !== undefined && /^\/cancel(@\w+)?(\s|$)/.test(text)) await ctx.reply(ctx.m.nothingToCancel());
    else if (text?.startsWith("/")) await ctx.reply(ctx.m.unknownCommand());
    else if (text === undefined) await ctx.reply(ctx.m.mediaHint());
    else return next();
  });
  return c;
}
