import { isIP } from "node:net";
import { validate as validateCron } from "node-cron";
import { z } from "zod";

const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A chat id as Telegram knows it: a number, or "@channelname" for public channels. */
const ChatIdSchema = z.union([z.number().int(), z.string().regex(/^@[A-Za-z0-9_]{4,}$/, "expected a number or @channelname")]);

/** Five or six cron fields; node-cron validates the details at start-up. */
const CronSchema = z
  .string()
  .refine((s) => {
    const n = s.trim().split(/\s+/).length;
    return (n === 5 || n === 6) && validateCron(s.trim());
  }, "expected a valid cron expression with 5 or 6 fields, e.g. \"*/5 * * * *\"");

const TimeZoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "unknown IANA time zone");

/** A bare host name or IP address (IPv6 with or without brackets): no scheme, port or path. */
const HostSchema = z
  .string()
  .refine(
    (s) => isIP(s.replace(/^\[(.*)\]$/, "$1")) !== 0 || /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(s),
    "expected a host name or IP address without scheme, port or path, e.g. cms.intranet or 10.0.0.5",
  );

const IdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lower-case letters, digits, _ or -, at most 32");

export const FeedSchema = z.object({
  /** Stable id; changing it makes the feed new again (its backlog is archived, not delivered). */
  id: IdSchema,
  url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }),
  /** Source name shown to readers; defaults to the feed's own title. */
  name: z.string().min(1).optional(),
  /** Topic ids every article of this feed belongs to. */
  topics: z.array(z.string()).default([]),
});

const NAME_SHAPE = "expected a name, or one per language: { zh-CN: 新能源, en: New energy }";

const PerLanguageNameSchema = z.strictObject({
  "zh-CN": z.string({ error: "expected the Chinese name too (zh-CN: …)" }).trim().min(1, "expected the Chinese name too (zh-CN: …)"),
  en: z.string({ error: "expected the English name too (en: …)" }).trim().min(1, "expected the English name too (en: …)"),
});

/**
 * A topic's name as readers see it: a string for every language (e.g. 新能源), or one per language,
 * `{ zh-CN: 新能源, en: New energy }` (both required: a missing one would show the other language).
 */
export const TopicNameSchema = z.unknown().transform((value, ctx): string | z.infer<typeof PerLanguageNameSchema> => {
  // Dispatched by hand: a union reports a missing language only as "invalid input".
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const parsed = PerLanguageNameSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  ctx.addIssue({ code: "custom", message: NAME_SHAPE });
  return z.NEVER;
});

export const TopicSchema = z.object({
  id: IdSchema,
  /** Shown to readers: one name (e.g. 新能源), or one per language ({ zh-CN: 新能源, en: New energy }). */
  name: TopicNameSchema,
  /** Matched in titles, summaries and categories (Chinese by substring, English by word). */
  keywords: z.array(z.string().min(1)).default([]),
});

export const PollSchema = z
  .object({
    /** Cron expression, 5 or 6 fields, in `timezone`. Default: every 5 minutes. */
    schedule: CronSchema.default("*/5 * * * *"),
    /** Poll once right at start, then on the schedule (a restart does not wait for the next tick). Default true. */
    atStart: z.boolean().default(true),
    /** Whole request including the body. Default 20. */
    timeoutSeconds: z.number().positive().max(300).default(20),
    /** Cap on the decoded body. Default 5 MiB. */
    maxFeedBytes: z.number().int().positive().default(5 * 1024 * 1024),
    /** Feeds fetched at once. Default 8. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Feeds fetched at once from one host. Default 2. */
    perHostConcurrency: z.number().int().min(1).max(16).default(2),
    /** Longest wait between retries of a failing feed. Default 60. */
    maxBackoffMinutes: z.number().positive().default(60),
    /** The newsroom is told once a feed has failed for this long. Default 60. */
    alertAfterMinutes: z.number().positive().default(60),
    /**
     * Hosts a feed may be redirected to although they are (or resolve to) a loopback, private,
     * link-local or unique-local address, e.g. an intranet CMS. Host names or IP addresses, no
     * scheme or port. Feed URLs in `feeds[]` are never checked. Default [] (no such redirect).
     */
    allowHosts: z.array(HostSchema).default([]),
  })
  .prefault({});

export const ArchiveSchema = z
  .object({
    /** Articles older than this leave the archive and the search index. Default 30. */
    retentionDays: z.number().positive().default(30),
  })
  .prefault({});

export const NewsroomSchema = z
  .object({
    /** The newsroom contact chat (a private supergroup of staff, or a private channel). */
    chatId: z.number().int().optional(),
    /** Telegram user ids allowed to use staff commands from any chat. */
    admins: z.array(z.number().int()).default([]),
    /** Phone hotline shown in /tip help. */
    hotline: z.string().optional(),
    /** Web contact shown in /tip help. */
    web: z.string().optional(),
  })
  .prefault({});

export const ChannelSchema = z.object({
  /** Channel where every new article is posted (the bot must be an admin there). */
  chatId: ChatIdSchema,
});

export const DeliverySchema = z
  .object({
    /** Related articles under each article. Default 3. */
    relatedCount: z.number().int().min(0).max(10).default(3),
    /** Summary length before it is cut at a sentence or word. Default 300. */
    summaryChars: z.number().int().min(0).max(3000).default(300),
    /** Messages per second across all chats (Telegram allows 30). Default 29. */
    maxMessagesPerSecond: z.number().positive().max(30).default(29),
    /** Messages per second to one private chat. Default 1. */
    privateChatPerSecond: z.number().positive().max(1).default(1),
    /** Messages per minute to one group or channel. Default 20. */
    groupPerMinute: z.number().positive().max(20).default(20),
    retry: z
      .object({
        /** Attempts before a delivery is dead-lettered. Default 5. */
        maxAttempts: z.number().int().min(1).max(50).default(5),
        baseDelaySeconds: z.number().positive().default(2),
        maxDelaySeconds: z.number().positive().default(300),
      })
      .prefault({}),
    /**
     * Telegram's paid broadcasts (`allow_paid_broadcast`: up to 1000 messages/s past the 30/s limit,
     * 0.1 Star each from the bot's balance). Off by default: `broadcast` for /broadcast, `topics`
     * for new articles of those topics.
     */
    paidBroadcast: z
      .object({
        broadcast: z.boolean().default(false),
        topics: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    /** The newsroom is told once when sending the waiting backlog would take longer than this (and again when it caught up). Default 30. */
    backlogAlertMinutes: z.number().positive().default(30),
    /** Several articles waiting for one chat go out as one message that lists them (Telegram's budget is messages, not articles). */
    bundle: z
      .object({
        /** On by default; off sends every article in its full format. */
        enabled: z.boolean().default(true),
        /** Waiting articles that make a bundle (fewer go in the full format). Default 2. */
        minArticles: z.number().int().min(2).max(50).default(2),
        /** Articles listed in one bundle message at most (the rest go in the next one). Default 20. */
        maxArticles: z.number().int().min(2).max(50).default(20),
      })
      .prefault({}),
  })
  .prefault({});

export const TipsSchema = z
  .object({
    /** Tips one reader may send per hour. Default 5. */
    maxPerHour: z.number().int().min(1).default(5),
    /** Messages (text and attachments) in one tip. Default 20. */
    maxAttachments: z.number().int().min(1).max(100).default(20),
    /** Characters of text in one tip. Default 8000. */
    maxTextChars: z.number().int().min(100).default(8000),
    /** Tips and reply mappings are deleted after this many days. Default 90. */
    retentionDays: z.number().positive().default(90),
    /** An unfinished tip is dropped after this many hours. Default 24. */
    draftHours: z.number().positive().default(24),
  })
  .prefault({});

export const HttpSchema = z
  .object({
    /** Port for /healthz and /metrics when not in webhook mode (PORT wins). Default 8080; 0 disables. */
    port: z.number().int().min(0).max(65535).default(8080),
    /**
     * Interface the HTTP server binds. Default "127.0.0.1": /metrics stays off the network unless
     * the operator opens it ("0.0.0.0", or "::" for IPv6 too, e.g. in a container or behind a proxy).
     */
    host: z.string().min(1).default("127.0.0.1"),
  })
  .prefault({});

/** The YAML config file. Every section has defaults, so an empty file is valid. */
export const FileConfigSchema = z
  .object({
    /** The outlet's name, shown in the welcome message. */
    name: z.string().min(1).default("Newsdesk"),
    locale: z.enum(["zh-CN", "en"]).default("zh-CN"),
    timezone: TimeZoneSchema.default("Asia/Shanghai"),
    poll: PollSchema,
    feeds: z.array(FeedSchema).default([]),
    topics: z.array(TopicSchema).default([]),
    newsroom: NewsroomSchema,
    channel: ChannelSchema.optional(),
    delivery: DeliverySchema,
    tips: TipsSchema,
    archive: ArchiveSchema,
    http: HttpSchema,
  })
  .strict()
  // Runs even when other fields failed, so one run lists every problem (dangling ids included).
  .superRefine((cfg, ctx) => crossReferenceIssues(cfg, ctx), { when: () => true });

/** Duplicate feed/topic ids and feeds naming unknown topics; reads defensively, as other fields may have failed. */
function crossReferenceIssues(cfg: unknown, ctx: z.RefinementCtx): void {
  const record = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const list = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);
  const root = record(cfg);
  if (!root) return;
  const feeds = list(root.feeds);
  const topics = list(root.topics);
  const dup = (items: unknown[] | undefined, path: "feeds" | "topics") => {
    const seen = new Set<string>();
    items?.forEach((item, i) => {
      const id = record(item)?.id;
      if (typeof id !== "string") return;
      if (seen.has(id)) ctx.addIssue({ code: "custom", path: [path, i, "id"], message: `duplicate id "${id}"` });
      seen.add(id);
    });
  };
  dup(feeds, "feeds");
  dup(topics, "topics");
  // A topics section that is not a list at all has its own error; every reference would look unknown.
  if (root.topics !== undefined && !topics) return;
  const topicIds = new Set((topics ?? []).map((t) => record(t)?.id).filter((id) => typeof id === "string"));
  feeds?.forEach((feed, i) =>
    list(record(feed)?.topics)?.forEach((t, j) => {
      if (typeof t === "string" && !topicIds.has(t))
        ctx.addIssue({ code: "custom", path: ["feeds", i, "topics", j], message: `unknown topic "${t}"` });
    }),
  );
  list(record(record(root.delivery)?.paidBroadcast)?.topics)?.forEach((t, j) => {
    if (typeof t === "string" && !topicIds.has(t))
      ctx.addIssue({ code: "custom", path: ["delivery", "paidBroadcast", "topics", j], message: `unknown topic "${t}"` });
  });
}

export type FileConfig = z.infer<typeof FileConfigSchema>;
export type FeedConfig = z.infer<typeof FeedSchema>;
export type TopicConfig = z.infer<typeof TopicSchema>;

export { hhmm as HHMM_PATTERN };

/** Environment variables of the SPEC contract; they override the file. */
export const EnvSchema = z
  .object({
    BOT_TOKEN: z
      .string({ error: "is not set (get a bot token from @BotFather and export BOT_TOKEN)" })
      .regex(
        /^\d+:[A-Za-z0-9_-]{30,}$/,
        "does not look like a bot token: expected digits, a colon, then 30 or more of A-Z a-z 0-9 _ - " +
          "(copy the whole token @BotFather gave you, e.g. 123456789:AAH…, 35 characters after the colon)",
      ),
    TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default("https://api.telegram.org"),
    NEWSDESK_CONFIG: z.string().min(1).optional(),
    NEWSDESK_STORE: z
      .string()
      .regex(/^(sqlite|redis|rediss|postgres|postgresql):\/\//, "expected sqlite://path, redis://… or postgres://…")
      .default("sqlite://data/newsdesk.sqlite"),
    NEWSROOM_CHAT_ID: z
      .string()
      .regex(/^-?\d+$/, "expected a numeric chat id")
      .transform(Number)
      .optional(),
    /** https for api.telegram.org; http only with a local Bot API server (checked below). */
    WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "expected an https URL" }).optional(),
    WEBHOOK_SECRET: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{16,256}$/,
        "expected 16-256 characters of A-Z a-z 0-9 _ - (Telegram allows shorter ones, but they can be guessed; " +
          "e.g. openssl rand -hex 32)",
      )
      .optional(),
    PORT: z
      .string()
      .regex(/^\d+$/, "expected a port number")
      .transform(Number)
      .refine((n) => n >= 0 && n < 65536, "expected a port number (0 turns the HTTP server off in polling mode)")
      .optional(),
    /** Interface of the HTTP server (overrides `http.host`), e.g. 0.0.0.0 in a container. */
    HTTP_HOST: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  // Runs even when another variable failed, so every problem shows in one run. The values of
  // failed fields are their raw strings here, hence the typeof checks.
  .superRefine(
    (env, ctx) => {
      const url = typeof env.WEBHOOK_URL === "string" ? env.WEBHOOK_URL : undefined;
      const secret = typeof env.WEBHOOK_SECRET === "string" ? env.WEBHOOK_SECRET : undefined;
      if (url && !secret)
        ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "required when WEBHOOK_URL is set" });
      if (url && env.PORT === 0)
        ctx.addIssue({ code: "custom", path: ["PORT"], message: "webhook mode needs a port to listen on" });
      if (secret && !url)
        ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "required when WEBHOOK_SECRET is set" });
      if (url && /^http:/i.test(url) && isOfficialApiRoot(env.TELEGRAM_API_ROOT))
        ctx.addIssue({
          code: "custom",
          path: ["WEBHOOK_URL"],
          message:
            "expected an https URL: api.telegram.org only calls https webhooks (http works with a local Bot API server in TELEGRAM_API_ROOT)",
        });
    },
    { when: () => true },
  );

/** True for Telegram's own Bot API (the default root), which only delivers to https webhooks. */
function isOfficialApiRoot(root: unknown): boolean {
  if (root === undefined) return true;
  if (typeof root !== "string") return false;
  try {
    return new URL(root).hostname.toLowerCase() === "api.telegram.org";
  } catch {
    // An unparsable root has its own problem line; guessing would add a second, misleading one.
    return false;
  }
}

export type Env = z.infer<typeof EnvSchema>;
