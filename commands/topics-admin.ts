import { randomBytes } from "node:crypto";
import type Keyv from "keyv";
import { Composer, Markup } from "telegraf";
import { z } from "zod";
import { DuplicateTopic, type LiveTopic, type TopicRegistry } from "../src/articles/topic-registry.js";
import { topicName, topicNames, type TopicDef } from "../src/articles/topics.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { staffVerdict, type StaffPolicy } from "../src/bot/staff.js";
import type { ChatCounts } from "../src/chats/chat-index.js";
import type { Logger } from "../src/log.js";
import { channelCommand, confirmedDraft, staffGuard } from "./staff-guard.js";
import { applyTopicEdit, nameClash, parseAddTopic, parseEditTopic, parseTopicId, type Parsed, type TopicProblem } from "./topic-syntax.js";

export interface TopicAdminDeps {
  policy: StaffPolicy;
  registry: Pick<TopicRegistry, "list" | "get" | "add" | "update" | "remove">;
  /** Subscriber counts by topic (the chat index, from memory). */
  counts: () => Pick<ChatCounts, "byTopic">;
  /** Feeds that give a topic to every article (the live feed list), named in /removetopic's question. */
  feeds: () => Promise<ReadonlyArray<{ id: string; name: string; topics: readonly string[] }>>;
  /** After a topic left the registry: unsubscribes its chats and tells them; returns how many were told. */
  retire: (topic: LiveTopic, fanOutId: string) => Promise<number>;
  /** Confirmations waiting for their button. */
  drafts: Keyv<unknown>;
  logger: Logger;
}

const COMMANDS = ["addtopic", "edittopic", "removetopic"] as const;
type Command = (typeof COMMANDS)[number];
type Handler = (ctx: NewsdeskContext, payload: string) => Promise<void>;

/** `tp:<draft id>:<y|n>` on the confirmation buttons. */
const ButtonSchema = z.string().regex(/^tp:[A-Za-z0-9_-]{8,16}:[yn]$/);
const NamesSchema = z.object({ "zh-CN": z.string().min(1), en: z.string().min(1) });
const DraftSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("add"), topic: z.object({ id: z.string(), name: NamesSchema, keywords: z.array(z.string()).min(1) }), by: z.number() }),
  z.object({ kind: z.literal("remove"), id: z.string(), by: z.number() }),
]);
type Draft = z.infer<typeof DraftSchema>;

const DRAFT_TTL_MS = 15 * 60_000;
const html = { parse_mode: "HTML" as const };

/**
 * Topics from chat for staff: /addtopic (preview, then a confirm button), /edittopic (names or
 * keywords, applied at once and shown), /removetopic (asks first; its subscribers are told and
 * unsubscribed), and /topics in the newsroom listing ids and keywords. Everyone else is refused by
 * the same staff policy as every staff command; /topics elsewhere is the readers' own.
 */
export function topicAdminCommands(deps: TopicAdminDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  const staffOnly = staffGuard(deps.policy, deps.logger);
  const by = (ctx: NewsdeskContext): number => ctx.from?.id ?? 0;
  const problem = (ctx: NewsdeskContext, p: TopicProblem, id = "") =>
    ctx.reply(
      p.kind === "usage" ? ctx.m.addTopicUsage() : p.kind === "edit-usage" ? ctx.m.editTopicUsage({ id: id || "id" }) : ctx.m.topicProblem({ ...p, id: "id" in p ? p.id : id }),
      html,
    );
  const namesOf = (t: TopicDef) => topicNames(t).join(" / ");
  const card = (t: TopicDef) => ({ id: t.id, zh: topicName(t, "zh-CN"), en: topicName(t, "en"), keywords: t.keywords.join(", ") });
  const saveDraft = async (draft: Draft): Promise<string> => {
    const id = randomBytes(6).toString("base64url");
    await deps.drafts.set(id, draft, DRAFT_TTL_MS);
    return id;
  };
  const buttons = (id: string, yes: string, no: string) =>
    Markup.inlineKeyboard([Markup.button.callback(yes, `tp:${id}:y`), Markup.button.callback(no, `tp:${id}:n`)]).reply_markup;
  const unknown = (ctx: NewsdeskContext, id: string) => ctx.reply(ctx.m.topicUnknownId({ id }), html);

  const addtopic: Handler = async (ctx, payload) => {
    const parsed = parseAddTopic(payload);
    if (!parsed.ok) return void (await problem(ctx, parsed.problem));
    const topic = parsed.value;
    const existing = deps.registry.get(topic.id);
    if (existing) return void (await ctx.reply(ctx.m.topicDuplicate({ id: existing.id, names: namesOf(existing) }), html));
    const clash = nameClash(topic.id, [topic.name["zh-CN"], topic.name.en], deps.registry.list());
    if (!clash.ok) return void (await problem(ctx, clash.problem));
    const id = await saveDraft({ kind: "add", topic: { id: topic.id, name: { ...topic.name }, keywords: [...topic.keywords] }, by: by(ctx) });
    await ctx.reply(ctx.m.addTopicPreview(card(topic)), { ...html, reply_markup: buttons(id, ctx.m.addTopicYes(), ctx.m.feedCancel()) });
  };

  const edittopic: Handler = async (ctx, payload) => {
    if (payload.trim() === "") return void (await ctx.reply(ctx.m.editTopicUsage({ id: deps.registry.list()[0]?.id ?? "energy" }), html));
    const parsed = parseEditTopic(payload);
    if (!parsed.ok) return void (await problem(ctx, parsed.problem, payload.trim().split(/\s+/)[0]));
    const { id, edit } = parsed.value;
    const topic = deps.registry.get(id);
    if (!topic) return void (await unknown(ctx, id));
    if (edit.kind === "show") {
      const shown = ctx.m.topicShow({ ...card(topic), subscribers: deps.counts().byTopic[id] ?? 0, origin: topic.origin });
      return void (await ctx.reply(`${shown}\n\n${ctx.m.editTopicUsage({ id })}`, html));
    }
    const next: Parsed<{ name: { "zh-CN": string; en: string }; keywords: string[] }> = applyTopicEdit(topic, edit);
    if (!next.ok) return void (await problem(ctx, next.problem, id));
    const clash = nameClash(id, [next.value.name["zh-CN"], next.value.name.en], deps.registry.list());
    if (!clash.ok) return void (await problem(ctx, clash.problem, id));
    const changed = await deps.registry.update(id, next.value, by(ctx));
    if (!changed) return void (await unknown(ctx, id));
    deps.logger.info({ topicId: id, by: by(ctx), change: edit.kind }, "topic changed from chat");
    await ctx.reply(ctx.m.topicEdited(card(changed)), html);
  };

  const removetopic: Handler = async (ctx, payload) => {
    const raw = payload.trim().split(/\s+/)[0] ?? "";
    if (raw === "") return void (await ctx.reply(ctx.m.removeTopicUsage(), html));
    const parsed = parseTopicId(raw);
    if (!parsed.ok) return void (await problem(ctx, parsed.problem));
    const topic = deps.registry.get(parsed.value);
    if (!topic) return void (await unknown(ctx, parsed.value));
    const feeds = (await deps.feeds()).filter((f) => f.topics.includes(topic.id)).map((f) => f.name || f.id);
    const id = await saveDraft({ kind: "remove", id: topic.id, by: by(ctx) });
    await ctx.reply(
      ctx.m.removeTopicConfirm({ name: topicName(topic, ctx.lang), id: topic.id, subscribers: deps.counts().byTopic[topic.id] ?? 0, feeds: feeds.join(", ") }),
      { ...html, reply_markup: buttons(id, ctx.m.removeTopicYes(), ctx.m.feedCancel()) },
    );
  };

  /** Staff in the newsroom see ids, both names, keywords and subscriber counts. */
  const staffList = async (ctx: NewsdeskContext): Promise<void> => {
    const topics = deps.registry.list();
    if (topics.length === 0) return void (await ctx.reply(ctx.m.topicsStaffEmpty()));
    const counts = deps.counts().byTopic;
    const lines = topics.map((t) => ctx.m.topicsStaffLine({ id: t.id, names: namesOf(t), keywords: t.keywords.join(", "), subscribers: counts[t.id] ?? 0 }));
    let chunk = ctx.m.topicsStaffTitle({ count: topics.length });
    for (const line of lines) {
      // Long lists are split so each message stays under Telegram's limit.
      if (chunk.length + line.length + 1 > 3500) {
        await ctx.reply(chunk, html);
        chunk = "";
      }
      chunk += (chunk ? "\n" : "") + line;
    }
    await ctx.reply(`${chunk}\n\n${ctx.m.topicsStaffHint()}`, html);
  };

  const handlers: Record<Command, Handler> = { addtopic, edittopic, removetopic };
  for (const name of COMMANDS) c.command(name, staffOnly, (ctx) => handlers[name](ctx, ctx.payload));
  c.command("topics", async (ctx, next) => {
    if (ctx.chat.id !== deps.policy.newsroomChatId || !staffVerdict(ctx, deps.policy).staff) return next();
    await staffList(ctx);
  });
  c.on("channel_post", async (ctx, next) => {
    const cmd = channelCommand(ctx.channelPost, ctx.me, [...COMMANDS, "topics"] as const);
    if (!cmd) return next();
    if (cmd.name === "topics") return ctx.chat.id === deps.policy.newsroomChatId ? staffOnly(ctx, () => staffList(ctx)) : next();
    return staffOnly(ctx, () => handlers[cmd.name as Command](ctx, cmd.payload));
  });

  c.action(/^tp:/, staffOnly, async (ctx) => {
    const confirmed = await confirmedDraft(ctx, ButtonSchema, deps.drafts, DraftSchema);
    if (!confirmed) return;
    const { id, draft } = confirmed;
    const staff = by(ctx);
    if (draft.kind === "add") {
      const wanted = draft.topic;
      // Checked again: another topic may have taken the id or a name since the preview.
      const clash = nameClash(wanted.id, [wanted.name["zh-CN"], wanted.name.en], deps.registry.list());
      if (!clash.ok) return void (await ctx.editMessageText(ctx.m.topicProblem(clash.problem), html).catch(() => undefined));
      try {
        const topic = await deps.registry.add(wanted, staff);
        deps.logger.info({ topicId: topic.id, by: staff }, "topic added from chat");
        await ctx.editMessageText(ctx.m.topicAdded({ name: topicName(topic, ctx.lang), id: topic.id }), html).catch(() => undefined);
      } catch (err) {
        if (!(err instanceof DuplicateTopic)) throw err;
        await ctx.editMessageText(ctx.m.topicDuplicate({ id: err.existing.id, names: namesOf(err.existing) }), html).catch(() => undefined);
      }
      return;
    }
    const removed = await deps.registry.remove(draft.id, staff);
    if (!removed) return void (await ctx.editMessageText(ctx.m.topicUnknownId({ id: draft.id }), html).catch(() => undefined));
    const told = await deps.retire(removed, `topic-removed:${id}`);
    deps.logger.info({ topicId: removed.id, by: staff, told }, "topic removed from chat");
    await ctx.editMessageText(ctx.m.topicRemoved({ name: topicName(removed, ctx.lang), id: removed.id, told }), html).catch(() => undefined);
  });

  return c;
}
