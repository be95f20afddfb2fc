import { Composer } from "telegraf";
import { z } from "zod";
import type { NewsdeskContext } from "../src/bot/context.js";

/** Deep-link payloads: `/start tip`, `/start sub_<topic>`, `/start a_<article>` (from a bundle). Anything else is refused politely. */
export const StartPayloadSchema = z.union([
  z.object({ kind: z.literal("tip") }),
  z.object({ kind: z.literal("sub"), topic: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/) }),
  z.object({ kind: z.literal("article"), shortId: z.string().regex(/^[A-Za-z0-9_-]{8,32}$/) }),
]);
export type StartPayload = z.infer<typeof StartPayloadSchema>;

/** Parses the text after `/start` (Telegram allows 1-64 chars of A-Z a-z 0-9 _ -). */
export function parseStartPayload(raw: string): StartPayload | null | "none" {
  const s = raw.trim();
  if (s === "") return "none";
  const parsed = StartPayloadSchema.safeParse(
    s === "tip" || s === "tips"
      ? { kind: "tip" }
      : s.startsWith("sub_")
        ? { kind: "sub", topic: s.slice(4) }
        : s.startsWith("a_")
          ? { kind: "article", shortId: s.slice(2) }
          : {},
  );
  return parsed.success ? parsed.data : null;
}

export interface StartDeps {
  outletName: string;
  /** Starts the tip flow (tip feature). */
  onTip?: (ctx: NewsdeskContext) => Promise<void>;
  /** Subscribes the chat to a topic (subscription feature). */
  onSubscribe?: (ctx: NewsdeskContext, topic: string) => Promise<void>;
  /** Shows one article in the full format with its related articles (a bundle's "Related" link). */
  onArticle?: (ctx: NewsdeskContext, shortId: string) => Promise<void>;
  /** Marks the chat as (re)started, e.g. reactivates a chat that had blocked the bot. */
  onStarted?: (ctx: NewsdeskContext) => Promise<void>;
}

/** `/start [payload]`: welcome, or route a deep link to its feature. */
export function startCommand(deps: StartDeps): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.start(async (ctx) => {
    await deps.onStarted?.(ctx);
    const payload = parseStartPayload(ctx.payload);
    if (payload === "none") {
      await ctx.reply(ctx.m.welcome({ name: ctx.from.first_name, outlet: deps.outletName }), {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
      });
      return;
    }
    if (payload?.kind === "tip" && deps.onTip) return deps.onTip(ctx);
    if (payload?.kind === "sub" && deps.onSubscribe) return deps.onSubscribe(ctx, payload.topic);
    if (payload?.kind === "article" && deps.onArticle) return deps.onArticle(ctx, payload.shortId);
    await ctx.reply(ctx.m.unknownStartPayload());
  });
  return c;
}
