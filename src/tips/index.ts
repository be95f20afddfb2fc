import type { StaffPolicy } from "../bot/staff.js";
import { realSleep, systemClock, type Clock, type Sleep } from "../delivery/time.js";
import { messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import type { ChatDataEraser, TipDeps, TipLimits } from "./deps.js";
import { cardKeyboard } from "./desk-buttons.js";
import { TipDispatcher, type TipTelegram } from "./dispatch.js";
import { kindCounts, newsroomTime } from "./message.js";
import { TipRepo, type KeyvSource } from "./repo.js";
import type { KeyedLock } from "../store/lock.js";
import { truncateText } from "../delivery/text.js";
import { sweepDrafts } from "./sweep.js";

export type { ChatDataEraser, TipDeps, TipLimits } from "./deps.js";
export { TipDispatcher, type TipTelegram } from "./dispatch.js";
export { TipRepo, type KeyvSource } from "./repo.js";
export { newTipRef, parseTipRef } from "./ref.js";

export interface TipLineOptions {
  /** The app's Store (or any `namespace(name) → Keyv`). */
  store: KeyvSource;
  /** Bot API calls for the newsroom queue: a paced TelegramClient (the bot's shared budget). */
  telegram: TipTelegram;
  limits: TipLimits;
  newsroom: { chatId?: number | undefined; admins: readonly number[]; hotline?: string | undefined; web?: string | undefined };
  /** Language of cards and answers in the newsroom chat (config.locale). */
  newsroomLang: Lang;
  /** IANA zone of the card's time (config.timezone). */
  timezone: string;
  logger: Logger;
  /** A reader's chosen language (LangStore.get); default: the language at the time of the tip. */
  langOf?: (chatId: number) => Promise<Lang | undefined>;
  /** What /forget "everything" also describes and deletes (subscriptions, settings, digests, dead letters). */
  forgetEverything?: ChatDataEraser;
  /** How often unfinished tips are checked for their reminder and expiry; default 60000. */
  draftSweepMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  /** Told after a tip or answer was queued here (several instances: the leader's queue is kicked). */
  onQueued?: () => void;
  /** The staff policy shared with the rest of the bot (mutable: a migrated newsroom updates it); default from `newsroom`. */
  policy?: StaffPolicy;
  /** Told when Telegram moved the newsroom group to a new (supergroup) id. */
  onNewsroomMigrated?: (newChatId: number) => void;
  /** Per-key lock for drafts and the queue; default in-process. Several instances pass a Redis lock. */
  lock?: KeyedLock;
  /** Retry backoff of the newsroom queue; defaults 1000 and 60000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface TipLine {
  /** What the tip commands (commands/tip.ts, commands/tip-staff.ts) work with. */
  deps: TipDeps;
  repo: TipRepo;
  /** Starts a newsroom queue worker (resumes stored work); the app runs it while this instance leads. */
  start(): void;
  /** Stops the worker after its current step; queued tips stay stored. */
  stop(): Promise<void>;
  /** New work was queued (here or on another instance): the worker stops waiting. */
  kick(): void;
  /** Resolves once the queue is empty (tests); at once when no worker runs here. */
  whenIdle(): Promise<void>;
  /** Reminds and expires unfinished tips now (start() runs it on a timer too); for tests. */
  sweepDrafts(): Promise<{ reminded: number; expired: number }>;
}

/** Builds the tip line: storage and the durable newsroom queue. No I/O until start(). */
export function createTipLine(o: TipLineOptions): TipLine {
  const clock = o.clock ?? systemClock;
  const repo = new TipRepo(o.store, clock, o.lock);
  const nm = messages(o.newsroomLang);
  const policy: StaffPolicy = o.policy ?? { newsroomChatId: o.newsroom.chatId, admins: o.newsroom.admins };
  const newDispatcher = () => new TipDispatcher({
    repo,
    telegram: o.telegram,
    newsroomChatId: policy.newsroomChatId,
    onNewsroomMigrated: (newChatId) => {
      // Staff checks and reply relays follow the newsroom to its new id at once.
      policy.newsroomChatId = newChatId;
      o.onNewsroomMigrated?.(newChatId);
    },
    renderCard: (tip, forum) =>
      nm.tipCard({
        forum,
        ref: tip.ref,
        time: newsroomTime(tip.createdAt, o.timezone),
        name: tip.anonymous ? undefined : tip.readerName,
        username: tip.anonymous ? undefined : tip.readerUsername,
        kinds: kindCounts(tip.items),
        ownContact: tip.items.some((i) => i.ownContact === true),
      }),
    renderCardKeyboard: (tip) => cardKeyboard(nm, tip.ref, tip.status, false),
    topicName: (tip) => nm.tipTopicName({ ref: tip.ref }),
    // The label takes a few dozen characters of Telegram's 4096: a long answer is cut, not dropped.
    renderAnswerText: (ref, text) => nm.tipAnswerText({ ref, text: truncateText(text, 3900) }),
    logger: o.logger,
    clock,
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.baseDelayMs !== undefined ? { baseDelayMs: o.baseDelayMs } : {}),
    ...(o.maxDelayMs !== undefined ? { maxDelayMs: o.maxDelayMs } : {}),
  });
  let current: TipDispatcher | undefined;
  const deps: TipDeps = {
    repo,
    kick: () => {
      current?.kick();
      o.onQueued?.();
    },
    limits: o.limits,
    contact: { hotline: o.newsroom.hotline, web: o.newsroom.web },
    policy,
    newsroomLang: o.newsroomLang,
    logger: o.logger,
    clock,
    langOf: o.langOf ?? (() => Promise.resolve(undefined)),
    everything: o.forgetEverything,
  };
  const sleep = o.sleep ?? realSleep;
  const sweep = () =>
    sweepDrafts({ repo, telegram: o.telegram, limits: o.limits, clock, logger: o.logger, langOf: deps.langOf, defaultLang: o.newsroomLang });
  let sweeper: { stop: AbortController; done: Promise<void> } | undefined;
  // On the instance that runs the newsroom queue; the drafts hold the state, so a restart resumes it.
  const startSweeper = () => {
    const stop = new AbortController();
    const loop = async () => {
      while (!stop.signal.aborted) {
        await sweep().catch((err: unknown) => o.logger.error({ err }, "unfinished-tip sweep failed"));
        await sleep(o.draftSweepMs ?? 60_000, stop.signal);
      }
    };
    sweeper = { stop, done: loop() };
  };
  return {
    deps,
    repo,
    start: () => {
      if (current) return;
      current = newDispatcher();
      current.start();
      startSweeper();
    },
    stop: async () => {
      const stopping = current;
      current = undefined;
      const sweeping = sweeper;
      sweeper = undefined;
      sweeping?.stop.abort();
      await Promise.all([stopping?.stop(), sweeping?.done]);
    },
    kick: () => current?.kick(),
    whenIdle: () => current?.whenIdle() ?? Promise.resolve(),
    sweepDrafts: sweep,
  };
}
