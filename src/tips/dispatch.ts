import type { Logger } from "../log.js";
import { FailurePolicy } from "../telegram/policy.js";
import { realSleep, systemClock, type Clock, type Sleep } from "../delivery/time.js";
import { isThreadGone, isTopicClosed, isTopicNotModified, NewsroomForum, threadParams } from "./forum.js";
import type { TipJob, TipRecord } from "./records.js";
import { newsroomLink, newsroomThreadLink, type TipRepo } from "./repo.js";

/**
 * The Telegram seam: one Bot API call, paced within the bot's shared budget (the app hands in a
 * paced TelegramClient's `call`); failures throw telegraf's TelegramError shape or a network error.
 */
export interface TipTelegram {
  call(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
}

export interface TipDispatcherOptions {
  repo: TipRepo;
  telegram: TipTelegram;
  /** The newsroom chat; while undefined, tips wait in the queue. */
  newsroomChatId: number | undefined;
  /** HTML of a tip card (in the newsroom's language); `forum` when it sits in the tip's own topic. */
  renderCard: (tip: TipRecord, forum: boolean) => string;
  /** The card's buttons (status and block); default none. */
  renderCardKeyboard?: (tip: TipRecord) => unknown;
  /** Name of the tip's forum topic when the newsroom is a forum (never the reader's name); default the ref. */
  topicName?: (tip: TipRecord) => string;
  /** HTML of a reader's `/tip <ref> text` answer. */
  renderAnswerText: (ref: string, text: string) => string;
  logger: Logger;
  clock?: Clock;
  sleep?: Sleep;
  /** First retry delay after a 5xx or network error; doubles up to maxDelayMs. Default 1000. */
  baseDelayMs?: number;
  /** Longest wait between retries. Default 60000. */
  maxDelayMs?: number;
  /** Attempts at a step Telegram keeps refusing (400) before it is skipped. Default 3. */
  maxBadRequestAttempts?: number;
  /** Told when the newsroom group became a supergroup, so the operator can update the config. */
  onNewsroomMigrated?: (newChatId: number) => void;
}

type StepResult = "progress" | "done";

/**
 * Moves tips and reader answers into the newsroom chat, one job at a time and in order, so a card is
 * always followed by its own copies. Every step is persisted right after Telegram accepted it; a
 * restart repeats at most the one step that was in flight. 5xx, network errors and a missing or
 * unreachable newsroom chat are retried forever (a tip is never dropped for them).
 */
export class TipDispatcher {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly policy: FailurePolicy;
  private chatId: number | undefined;
  private stopped = false;
  private readonly stopController = new AbortController();
  private wake = new AbortController();
  private loopDone: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];
  private readonly forum: NewsroomForum;

  constructor(private readonly o: TipDispatcherOptions) {
    this.clock = o.clock ?? systemClock;
    this.sleep = o.sleep ?? realSleep;
    this.policy = new FailurePolicy({
      maxAttempts: o.maxBadRequestAttempts ?? 3,
      baseDelaySeconds: (o.baseDelayMs ?? 1000) / 1000,
      maxDelaySeconds: (o.maxDelayMs ?? 60_000) / 1000,
    });
    this.chatId = o.newsroomChatId;
    this.forum = new NewsroomForum((method, params) => this.send(params.chat_id as number, method, params), this.clock, o.logger);
  }

  /** Starts working through the stored queue (resumes after a restart). */
  start(): void {
    if (this.loopDone) return;
    this.loopDone = this.loop().catch((err: unknown) => this.o.logger.fatal({ err }, "tip dispatcher stopped"));
  }

  /** New work was queued: stop waiting. */
  kick(): void {
    this.wake.abort();
  }

  /** Resolves once the queue is empty (tests, graceful stop). */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  /** Stops after the current step; queued work stays in the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    this.wake.abort();
    await this.loopDone;
  }

  private async pause(ms: number): Promise<void> {
    await this.sleep(ms, AbortSignal.any([this.stopController.signal, this.wake.signal]));
  }

  private async loop(): Promise<void> {
    let transientFailures = 0;
    let recovered = false;
    while (!this.stopped) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      try {
        if (!recovered) {
          for (const ref of await this.o.repo.orphanedTips()) {
            await this.o.repo.enqueue({ ref, kind: "tip" });
            this.o.logger.warn({ ref }, "tip was stored but not queued; queued it now");
          }
          recovered = true;
        }
        const job = (await this.o.repo.readQueue()).jobs[0];
        if (!job) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          await this.pause(60_000);
          // The queue is one stored list that several instances append to by read-modify-write, so
          // an append can be lost in a race: look for stored-but-unqueued tips again now and then.
          recovered = false;
          continue;
        }
        if (this.chatId === undefined) {
          await this.pause(60_000);
          continue;
        }
        const result = await this.step(job, this.chatId);
        transientFailures = 0;
        if (result === "done") await this.o.repo.updateQueue((q) => ({ ...q, jobs: q.jobs.filter((j) => j.id !== job.id) }));
      } catch (err) {
        if (this.stopped) break;
        const delayMs = await this.onFailure(err);
        if (delayMs === 0) continue;
        const backoffMs = Math.min(this.o.maxDelayMs ?? 60_000, (this.o.baseDelayMs ?? 1000) * 2 ** transientFailures);
        transientFailures++;
        await this.sleep(delayMs > 0 ? delayMs : backoffMs, this.stopController.signal);
      }
    }
  }

  /** Returns the wait before the next try: > 0 a fixed wait, 0 none, < 0 the exponential backoff. */
  private async onFailure(err: unknown): Promise<number> {
    const job = (await this.o.repo.readQueue().catch(() => undefined))?.jobs[0];
    // The newsroom is never dropped: a 403 (bot removed by mistake) waits like a network failure.
    const { error, decision } = this.policy.decide(err, { chatId: this.chatId ?? 0, attempts: job?.failures ?? 0, neverDrop: true });
    switch (decision.action) {
      case "wait":
        this.o.logger.warn({ retryAfterSeconds: decision.retryAfterMs / 1000, ref: job?.ref }, "newsroom chat rate limited");
        return decision.retryAfterMs;
      case "migrate":
        this.chatId = decision.newChatId;
        this.forum.reset();
        this.o.onNewsroomMigrated?.(decision.newChatId);
        this.o.logger.warn({ newChatId: decision.newChatId }, "newsroom chat migrated; update newsroom.chatId");
        return 0;
      case "give-up":
      case "retry":
        if (error.kind === "bad-request") {
          if (job) await this.onBadRequest(job, error.description, decision.action === "give-up" ? 0 : decision.attempts);
          return 0;
        }
        this.o.logger.warn({ err: error, ref: job?.ref }, "newsroom chat unreachable; the tip waits");
        return -1;
      case "chat-gone":
        return -1;
    }
  }

  /** `failures` is the new count, 0 when the policy gave the step up. */
  private async onBadRequest(job: TipJob, description: string, failures: number): Promise<void> {
    const give = failures === 0;
    this.o.logger.error({ ref: job.ref, job: job.kind, failures: give ? job.failures + 1 : failures, description, skipped: give }, "newsroom refused a tip step");
    if (give && job.kind === "tip") {
      // Skip the step Telegram refuses (a copy of a message the reader deleted): the rest still goes.
      await this.o.repo.updateTip(job.ref, (t) =>
        t.delivery.cardMessageId === undefined
          ? { ...t, delivery: { ...t.delivery, cardMessageId: 0 } }
          : { ...t, delivery: { ...t.delivery, copiedBatches: t.delivery.copiedBatches + 1 } },
      );
    }
    await this.o.repo.updateQueue((q) => ({
      ...q,
      jobs: q.jobs.flatMap((j) => (j.id !== job.id ? [j] : give && job.kind !== "tip" ? [] : [{ ...j, failures: give ? 0 : failures }])),
    }));
  }

  private async send(chatId: number, method: string, params: Record<string, unknown>): Promise<unknown> {
    if (this.stopped) throw new Error("stopping");
    const result = await this.o.telegram.call(method, { chat_id: chatId, ...params }, this.stopController.signal);
    this.policy.succeeded();
    return result;
  }

  /** One Telegram call of a job, persisted before returning. */
  private async step(job: TipJob, chatId: number): Promise<StepResult> {
    const tip = await this.o.repo.getTip(job.ref);
    if (!tip) {
      this.o.logger.info({ ref: job.ref, job: job.kind }, "tip gone before delivery (forgotten or expired)");
      return "done";
    }
    if (job.kind === "tip") return this.tipStep(tip, chatId);
    const replyTo = tip.delivery.cardMessageId
      ? { reply_parameters: { message_id: tip.delivery.cardMessageId, allow_sending_without_reply: true } }
      : {};
    const sent =
      job.kind === "answer"
        ? await this.sendAbout(tip, chatId, "copyMessage", { from_chat_id: job.fromChatId, message_id: job.messageId, ...replyTo })
        : await this.sendAbout(tip, chatId, "sendMessage", {
            text: this.o.renderAnswerText(tip.ref, job.text),
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
            ...replyTo,
          });
    await this.o.repo.link(tip.ref, [newsroomLink(chatId, messageIdOf(sent))]);
    this.o.logger.info({ ref: tip.ref }, "reader answer delivered to the newsroom");
    return "done";
  }

  /**
   * A send about a tip, into its forum topic when it has one. A reader who writes after the tip was
   * closed reopens its topic (staff see the answer where the tip lives); a topic staff deleted is
   * given up, and this and later messages go to the main chat.
   */
  private async sendAbout(tip: TipRecord, chatId: number, method: string, params: Record<string, unknown>): Promise<unknown> {
    const thread = threadParams(tip);
    if (thread.message_thread_id === undefined) return this.send(chatId, method, params);
    try {
      return await this.send(chatId, method, { ...params, ...thread });
    } catch (err) {
      if (isTopicClosed(err)) {
        await this.send(chatId, "reopenForumTopic", { ...thread }).catch((e: unknown) => {
          if (!isTopicNotModified(e)) throw e;
        });
        this.o.logger.info({ ref: tip.ref }, "tip topic reopened for a new message");
        return this.send(chatId, method, { ...params, ...thread });
      }
      if (!isThreadGone(err)) throw err;
      this.o.logger.warn({ ref: tip.ref }, "tip topic is gone; the tip continues in the main chat");
      await this.o.repo.updateTip(tip.ref, (t) => ({ ...t, delivery: { ...t.delivery, threadId: 0 } }));
      const { reply_parameters: _reply, ...rest } = params;
      return this.send(chatId, method, rest);
    }
  }

  private async tipStep(tip: TipRecord, chatId: number): Promise<StepResult> {
    if (tip.delivery.cardMessageId === undefined && tip.delivery.threadId === undefined) {
      // The topic's id is stored before anything is sent into it: a restart reuses it.
      const threadId = await this.forum.openTopic(chatId, this.o.topicName?.(tip) ?? tip.ref);
      await this.o.repo.updateTip(tip.ref, (t) => ({ ...t, delivery: { ...t.delivery, threadId } }));
      if (threadId > 0) {
        await this.o.repo.link(tip.ref, [newsroomThreadLink(chatId, threadId)]);
        this.o.logger.info({ ref: tip.ref }, "forum topic opened for a tip");
      }
      return "progress";
    }
    if (tip.delivery.cardMessageId === undefined) {
      const keyboard = this.o.renderCardKeyboard?.(tip);
      const sent = await this.sendAbout(tip, chatId, "sendMessage", {
        text: this.o.renderCard(tip, (tip.delivery.threadId ?? 0) > 0),
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(keyboard ? { reply_markup: keyboard } : {}),
      });
      const cardMessageId = messageIdOf(sent);
      await this.o.repo.updateTip(tip.ref, (t) => ({ ...t, delivery: { ...t.delivery, cardMessageId } }));
      await this.o.repo.link(tip.ref, [newsroomLink(chatId, cardMessageId)]);
      return "progress";
    }
    const ids = tip.items.map((i) => i.id).sort((a, b) => a - b);
    const batch = ids.slice(tip.delivery.copiedBatches * 100, (tip.delivery.copiedBatches + 1) * 100);
    if (batch.length > 0) {
      // copyMessages keeps albums together and takes up to 100 ids in increasing order per call.
      const sent = await this.sendAbout(tip, chatId, "copyMessages", { from_chat_id: tip.readerChatId, message_ids: batch });
      const copies = Array.isArray(sent) ? sent.map(messageIdOf) : [];
      await this.o.repo.updateTip(tip.ref, (t) => ({
        ...t,
        delivery: { ...t.delivery, copiedBatches: t.delivery.copiedBatches + 1 },
      }));
      await this.o.repo.link(tip.ref, copies.map((id) => newsroomLink(chatId, id)));
      return "progress";
    }
    await this.o.repo.updateTip(tip.ref, (t) => ({ ...t, delivery: { ...t.delivery, done: true } }));
    this.o.logger.info({ ref: tip.ref, messages: ids.length }, "tip delivered to the newsroom");
    return "done";
  }
}

function messageIdOf(result: unknown): number {
  if (typeof result === "object" && result !== null && "message_id" in result && typeof result.message_id === "number")
    return result.message_id;
  throw new Error("Telegram answered without a message_id");
}
