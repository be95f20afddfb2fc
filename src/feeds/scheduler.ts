import type Keyv from "keyv";
import nodeCron, { type ScheduledTask } from "node-cron";
import type { Article } from "../articles/article.js";
import type { ArticleArchive } from "../articles/archive.js";
import { NewItemDetector } from "./detect.js";
import { FeedError, silentLogger, toFeedError, type FeedErrorKind, type FeedLogger } from "./errors.js";
import { checkFeedUrl, fetchFeed, type FetchLike } from "./fetch.js";
import { backoffMs, FeedHealthSchema, initialHealth, type FeedHealth } from "./health.js";
import { runLimited } from "./limiter.js";
import { WorkerFeedProcessor, type FeedProcessor } from "./parse-pool.js";

/** node-cron's schedule(), or one that lets only the leader of several instances run a slot. */
export type ScheduleCron = (expression: string, fn: () => Promise<void>, options: { timezone: string; noOverlap: boolean; name: string }) => ScheduledTask;

/** One feed to poll (`feeds[]` in the config, or one added from chat). */
export interface FeedConfig {
  id: string;
  url: string;
  name: string;
  topics: string[];
  /** Not polled while true (health is still shown). Default false. */
  paused?: boolean;
  /**
   * True (default) for a URL the operator configured; false for one added from chat, which is then
   * checked like a redirect target on every fetch (fetchFeed's trustFeedUrl).
   */
  trusted?: boolean;
}

/** Where the scheduler reads its feeds, afresh at every round (e.g. the FeedRegistry). */
export interface FeedSource {
  /** Every feed, paused ones included. */
  list(): Promise<readonly FeedConfig[]>;
}

/** What one fetch of a URL looks like through the pipeline (for /addfeed's preview). */
export interface FeedProbe {
  /** Final URL after redirects. */
  url: string;
  /** The feed's own title (plain text), if it has one. */
  title?: string;
  /** The encoding the bytes were decoded with. */
  encoding: string;
  items: number;
}

/** The `poll` config section. */
export interface PollConfig {
  schedule: string;
  timeoutSeconds: number;
  maxFeedBytes: number;
  concurrency: number;
  perHostConcurrency: number;
  maxBackoffMinutes: number;
  alertAfterMinutes: number;
  /** Internal hosts feeds may redirect to (`poll.allowHosts`). Default []: such redirects fail. */
  allowHosts?: readonly string[];
}

export interface SchedulerDeps {
  /** A fixed list, or a live source read at every round (adds and pauses apply at the next round). */
  feeds: readonly FeedConfig[] | FeedSource;
  poll: PollConfig;
  /** IANA zone for the cron schedule and for feed dates without a zone. */
  timeZone: string;
  /** Keyv for feed state and health (namespace it, e.g. new Keyv({ namespace: "feeds" })). */
  store: Keyv;
  archive: ArticleArchive;
  /** Default: a WorkerFeedProcessor (closed by stop()). */
  processor?: FeedProcessor;
  /** Default: global fetch. */
  fetchImpl?: FetchLike;
  /** Default: Date.now. */
  now?: () => number;
  logger?: FeedLogger;
  /** Backoff base; default the cron interval once start() ran, else 10 minutes. */
  pollIntervalMs?: number;
  /** Articles just archived (a first poll's backlog, or new ones), e.g. for the search index. */
  onArchived?: (articles: Article[]) => void;
  /** Each feed's outcome, for metrics. */
  onPolled?: (feedId: string, result: "ok" | "not-modified" | FeedErrorKind) => void;
  /** Each finished run, for metrics and health. */
  onRunFinished?: (summary: PollSummary) => void;
  /** Adds topics (keyword matches) to a feed's articles before they are archived. */
  classify?: (feed: FeedConfig, articles: Article[]) => Article[];
  /** Called once per batch of new articles of a feed (never for a first poll's backlog). */
  onNewArticles?: (feed: FeedConfig, articles: Article[]) => void | Promise<void>;
  /** Called once when a feed has been failing for alertAfterMinutes. */
  onFeedDown?: (feed: FeedConfig, health: FeedHealth) => void | Promise<void>;
  /** Called when a feed that was reported down succeeds again. */
  onFeedRecovered?: (feed: FeedConfig, health: FeedHealth) => void | Promise<void>;
  /** Injected for tests; default node-cron's schedule. */
  scheduleCron?: ScheduleCron;
}

/** What one run did (returned by pollAll / pollDue). */
export interface PollSummary {
  startedAt: number;
  finishedAt: number;
  polled: number;
  ok: number;
  notModified: number;
  failed: number;
  /** Feeds left alone because they are backing off. */
  skipped: number;
  newArticles: number;
  errors: Array<{ feedId: string; kind: FeedErrorKind; message: string }>;
}

type Outcome = { kind: "ok"; items: number; fresh: number } | { kind: "not-modified" } | { kind: "failed"; error: FeedError };

const healthKey = (feedId: string): string => `feedhealth:${feedId}`;

/** Polls feeds on a cron schedule with bounded concurrency, backoff, health records and alerts. */
export class FeedScheduler {
  private readonly stopCtl = new AbortController();
  private readonly detector: NewItemDetector;
  private readonly processor: FeedProcessor;
  private readonly ownsProcessor: boolean;
  private readonly now: () => number;
  private readonly log: FeedLogger;
  private intervalMs: number;
  private task?: ScheduledTask;
  private running?: Promise<PollSummary>;
  /** A forced round asked for while another was under way: it runs once that one ends. */
  private followUp?: Promise<PollSummary>;

  constructor(private readonly deps: SchedulerDeps) {
    this.detector = new NewItemDetector(deps.store);
    this.ownsProcessor = !deps.processor;
    this.processor = deps.processor ?? new WorkerFeedProcessor({ jobTimeoutMs: Math.max(5_000, deps.poll.timeoutSeconds * 1000) });
    this.now = deps.now ?? Date.now;
    this.log = deps.logger ?? silentLogger;
    this.intervalMs = deps.pollIntervalMs ?? 10 * 60_000;
  }

  /** Starts the cron schedule (feeds due at each tick are polled; one run at a time). */
  start(): void {
    if (this.task) return;
    const schedule = this.deps.scheduleCron ?? ((expr, fn, options) => nodeCron.schedule(expr, fn, options));
    const tick = () =>
      this.pollDue().then(
        () => undefined,
        (err: unknown) => this.log.error({ err }, "feed poll round failed"),
      );
    this.task = schedule(this.deps.poll.schedule, tick, {
      timezone: this.deps.timeZone,
      noOverlap: true,
      name: "feed-poll",
    });
    if (this.deps.pollIntervalMs === undefined) {
      const [a, b] = this.task.getNextRuns?.(2) ?? [];
      if (a && b && b.getTime() > a.getTime()) this.intervalMs = b.getTime() - a.getTime();
    }
  }

  /** Stops the schedule, waits for a run in progress, and closes the processor it created. */
  async stop(): Promise<void> {
    // Fetches in flight are cut short: a shutdown must not wait out every feed's timeout.
    this.stopCtl.abort();
    await this.task?.stop();
    this.task = undefined;
    await this.running?.catch(() => undefined);
    await this.followUp?.catch(() => undefined);
    if (this.ownsProcessor) await this.processor.close();
  }

  /**
   * Polls every feed now, backoff or not (for /poll). A round already under way may have fetched
   * some feeds before this was asked, so a new round follows it; calls meanwhile share that one.
   */
  pollAll(): Promise<PollSummary> {
    if (!this.running) return this.run(true);
    const current = this.running;
    this.followUp ??= current
      .catch(() => undefined)
      .then(() => {
        this.followUp = undefined;
        // Stopping meanwhile: the round that ran is the answer.
        return this.stopCtl.signal.aborted ? current : this.run(true);
      });
    return this.followUp;
  }

  /** Polls the feeds whose backoff has expired (what each cron tick does). */
  pollDue(): Promise<PollSummary> {
    return this.run(false);
  }

  /** Health of every feed (paused ones too), in the source's order. */
  async health(): Promise<FeedHealth[]> {
    return Promise.all((await this.feedList()).map((f) => this.readHealth(f.id)));
  }

  /**
   * Fetches a URL from outside the config once, through the same fetch (checked like a redirect
   * target, with poll.allowHosts) and parse pipeline; stores nothing. Throws FeedError.
   */
  async probe(url: string): Promise<FeedProbe> {
    const res = await fetchFeed(url, {
      timeoutMs: this.deps.poll.timeoutSeconds * 1000,
      maxBytes: this.deps.poll.maxFeedBytes,
      ...(this.deps.fetchImpl ? { fetchImpl: this.deps.fetchImpl } : {}),
      allowHosts: this.deps.poll.allowHosts ?? [],
      trustFeedUrl: false,
      signal: this.stopCtl.signal,
    });
    // No validators were sent, so a 304 means a server that does not serve feeds.
    if (res.status === "not-modified") throw new FeedError("http-status", "HTTP 304 without a conditional request", { status: 304 });
    const processed = await this.processor.process(res.bytes, {
      feedId: "probe",
      feedUrl: res.url,
      sourceName: "",
      timeZone: this.deps.timeZone,
      nowMs: this.now(),
      maxBytes: this.deps.poll.maxFeedBytes,
      ...(res.charset ? { httpCharset: res.charset } : {}),
    });
    const probe: FeedProbe = { url: res.url, encoding: processed.encoding, items: processed.articles.length };
    if (processed.title) probe.title = processed.title;
    return probe;
  }

  /** Checks a URL from outside the config like a redirect target (poll.allowHosts), without fetching it. Throws FeedError. */
  async checkUrl(url: string): Promise<void> {
    await checkFeedUrl(url, this.deps.poll.allowHosts ?? []);
  }

  /** Forgets a removed feed's poll state and health, so adding it again starts with a first poll. */
  async forget(feedId: string): Promise<void> {
    await this.detector.forget(feedId);
    await this.deps.store.delete(healthKey(feedId));
  }

  private async feedList(): Promise<readonly FeedConfig[]> {
    const feeds = this.deps.feeds;
    return "list" in feeds ? feeds.list() : feeds;
  }

  private run(force: boolean): Promise<PollSummary> {
    if (this.running) return this.running;
    const promise = this.runOnce(force).finally(() => {
      this.running = undefined;
    });
    this.running = promise;
    return promise;
  }

  private async runOnce(force: boolean): Promise<PollSummary> {
    const startedAt = this.now();
    const summary: PollSummary = { startedAt, finishedAt: startedAt, polled: 0, ok: 0, notModified: 0, failed: 0, skipped: 0, newArticles: 0, errors: [] };
    const due: FeedConfig[] = [];
    for (const feed of await this.feedList()) {
      if (feed.paused) continue;
      // 1 s of slack so a tick that fires a hair early still polls the feeds due "now".
      if (force || (await this.readHealth(feed.id)).nextPollAt <= startedAt + 1000) due.push(feed);
      else summary.skipped++;
    }
    await runLimited(
      due,
      (feed) => hostOf(feed.url),
      async (feed) => {
        const outcome = await this.pollFeed(feed, startedAt);
        summary.polled++;
        this.deps.onPolled?.(feed.id, outcome.kind === "failed" ? outcome.error.kind : outcome.kind);
        if (outcome.kind === "ok") {
          summary.ok++;
          summary.newArticles += outcome.fresh;
        } else if (outcome.kind === "not-modified") summary.notModified++;
        else {
          summary.failed++;
          summary.errors.push({ feedId: feed.id, kind: outcome.error.kind, message: outcome.error.message });
        }
      },
      { concurrency: this.deps.poll.concurrency || 8, perKey: this.deps.poll.perHostConcurrency || 2 },
    );
    summary.finishedAt = this.now();
    this.log.info({ ...summary, errors: summary.errors.length }, "feed poll finished");
    this.deps.onRunFinished?.(summary);
    return summary;
  }

  private async pollFeed(feed: FeedConfig, runStartedAt: number): Promise<Outcome> {
    let outcome: Outcome;
    try {
      outcome = await this.fetchAndDetect(feed);
    } catch (err) {
      outcome = { kind: "failed", error: toFeedError(err) };
    }
    // Stopped mid-fetch: not the feed's fault, so its health is left as it was.
    if (this.stopCtl.signal.aborted) return outcome;
    try {
      await this.recordHealth(feed, outcome, runStartedAt);
    } catch (err) {
      this.log.error({ feedId: feed.id, err }, "could not store feed health");
    }
    return outcome;
  }

  private async fetchAndDetect(feed: FeedConfig): Promise<Outcome> {
    const state = await this.detector.getState(feed.id);
    const res = await fetchFeed(feed.url, {
      timeoutMs: this.deps.poll.timeoutSeconds * 1000,
      maxBytes: this.deps.poll.maxFeedBytes,
      ...(state.firstPollDone && state.etag ? { etag: state.etag } : {}),
      ...(state.firstPollDone && state.lastModified ? { lastModified: state.lastModified } : {}),
      ...(this.deps.fetchImpl ? { fetchImpl: this.deps.fetchImpl } : {}),
      allowHosts: this.deps.poll.allowHosts ?? [],
      trustFeedUrl: feed.trusted ?? true,
      signal: this.stopCtl.signal,
    });
    if (res.status === "not-modified") return { kind: "not-modified" };
    const nowMs = this.now();
    let articles: Article[];
    try {
      const processed = await this.processor.process(res.bytes, {
        feedId: feed.id,
        feedUrl: res.url,
        sourceName: feed.name,
        timeZone: this.deps.timeZone,
        nowMs,
        maxBytes: this.deps.poll.maxFeedBytes,
        ...(res.charset ? { httpCharset: res.charset } : {}),
        ...(res.contentLocation ? { contentLocation: res.contentLocation } : {}),
      });
      articles = processed.articles;
    } catch (err) {
      // A feed with no items right now is healthy, just quiet.
      if (err instanceof FeedError && err.kind === "empty") articles = [];
      else throw err;
    }
    for (const a of articles) a.topics = [...new Set([...a.topics, ...feed.topics])];
    if (this.deps.classify) articles = this.deps.classify(feed, articles);
    const validators = { ...(res.etag ? { etag: res.etag } : {}), ...(res.lastModified ? { lastModified: res.lastModified } : {}) };
    const { newArticles, firstPoll, commit } = await this.detector.prepare(feed.id, articles, nowMs, validators);
    const archived = firstPoll ? articles : newArticles;
    await this.deps.archive.put(archived);
    if (archived.length > 0) this.deps.onArchived?.(archived);
    if (firstPoll) this.log.info({ feedId: feed.id, backlog: articles.length }, "first poll: backlog archived");
    // The seen-set is saved only after the hand-off succeeded: a failure (store down) or a crash in
    // between makes these articles new again next time; the hand-off itself is idempotent.
    let handedOff = true;
    if (newArticles.length > 0 && this.deps.onNewArticles) {
      try {
        await this.deps.onNewArticles(feed, newArticles);
      } catch (err) {
        handedOff = false;
        this.log.error({ feedId: feed.id, err, articles: newArticles.length }, "hand-off of new articles failed; they stay new");
      }
    }
    if (handedOff) await commit();
    return { kind: "ok", items: articles.length, fresh: newArticles.length };
  }

  private async recordHealth(feed: FeedConfig, outcome: Outcome, runStartedAt: number): Promise<void> {
    const prev = await this.readHealth(feed.id);
    const nowMs = this.now();
    const maxBackoffMs = this.deps.poll.maxBackoffMinutes * 60_000;
    let next: FeedHealth;
    if (outcome.kind !== "failed") {
      next = { ...prev, status: "ok", lastPollAt: nowMs, lastSuccessAt: nowMs, consecutiveFailures: 0, downAlerted: false, nextPollAt: runStartedAt + this.intervalMs };
      delete next.failingSince;
      if (outcome.kind === "ok") next.items = outcome.items;
      await this.deps.store.set(healthKey(feed.id), next);
      if (prev.consecutiveFailures > 0) this.log.info({ feedId: feed.id, failures: prev.consecutiveFailures }, "feed ok again");
      if (prev.downAlerted && this.deps.onFeedRecovered) await this.callback("onFeedRecovered", feed, () => this.deps.onFeedRecovered!(feed, next));
      return;
    }
    const { error } = outcome;
    const failures = prev.consecutiveFailures + 1;
    const failingSince = prev.failingSince ?? nowMs;
    next = {
      ...prev,
      status: failures > 1 ? "backoff" : "failing",
      lastPollAt: nowMs,
      lastErrorAt: nowMs,
      lastErrorKind: error.kind,
      lastErrorMessage: error.message.slice(0, 300),
      consecutiveFailures: failures,
      failingSince,
      nextPollAt: runStartedAt + backoffMs(failures, this.intervalMs, maxBackoffMs),
    };
    if (error.status === undefined) delete next.lastErrorStatus;
    else next.lastErrorStatus = error.status;
    const alert = !prev.downAlerted && nowMs - failingSince >= this.deps.poll.alertAfterMinutes * 60_000;
    if (alert) next.downAlerted = true;
    await this.deps.store.set(healthKey(feed.id), next);
    // Logged once per state change: first failure or a different kind of failure.
    const changed = prev.consecutiveFailures === 0 || prev.lastErrorKind !== error.kind;
    const fields = { feedId: feed.id, kind: error.kind, status: error.status, failures, err: error.message };
    if (changed) this.log.warn(fields, "feed failing");
    else this.log.debug(fields, "feed still failing");
    if (alert) {
      this.log.error({ feedId: feed.id, kind: error.kind, failingSinceMs: failingSince }, "feed down");
      if (this.deps.onFeedDown) await this.callback("onFeedDown", feed, () => this.deps.onFeedDown!(feed, next));
    }
  }

  private async readHealth(feedId: string): Promise<FeedHealth> {
    const parsed = FeedHealthSchema.safeParse(await this.deps.store.get(healthKey(feedId)));
    return parsed.success ? parsed.data : initialHealth(feedId, 0);
  }

  private async callback(name: string, feed: FeedConfig, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.log.error({ feedId: feed.id, callback: name, err }, "feed callback failed");
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
