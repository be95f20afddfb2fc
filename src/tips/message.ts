import type { Message } from "telegraf/types";
import { TIP_KINDS, type TipItem, type TipKind } from "./records.js";
import { formatHhMm, localTime } from "../schedule/local-time.js";

/** What a reader's message carries, or null for kinds a tip does not take (stickers, polls, dice…). */
export function tipKindOf(msg: Message): TipKind | null {
  if ("text" in msg) return "text";
  if ("venue" in msg || "location" in msg) return "location";
  for (const kind of TIP_KINDS) if (kind !== "text" && kind in msg) return kind;
  return null;
}

/** Text or caption of a message ("" when none). */
export function textOf(msg: Message): string {
  if ("text" in msg) return msg.text;
  if ("caption" in msg && typeof msg.caption === "string") return msg.caption;
  return "";
}

/** The item a message adds to a draft, or null when its kind is refused. */
export function tipItemOf(msg: Message): TipItem | null {
  const kind = tipKindOf(msg);
  if (!kind) return null;
  const album = "media_group_id" in msg && typeof msg.media_group_id === "string" ? msg.media_group_id : undefined;
  return { id: msg.message_id, kind, chars: [...textOf(msg)].length, ...(album ? { album } : {}) };
}

/** Per-kind counts in a stable order, e.g. [["text", 1], ["photo", 4]]. */
export function kindCounts(items: readonly TipItem[]): Array<[TipKind, number]> {
  return TIP_KINDS.map((k): [TipKind, number] => [k, items.filter((i) => i.kind === k).length]).filter(([, n]) => n > 0);
}

/** Messages whose caption copyMessage can replace (others get a separate label message). */
export function takesCaption(msg: Message): boolean {
  return ["photo", "video", "animation", "audio", "document", "voice"].some((k) => k in msg);
}

/** `2024-02-20 14:03 Asia/Shanghai`: the time as the newsroom reads it. */
export function newsroomTime(ms: number, timeZone: string): string {
  const t = localTime(ms, timeZone);
  return `${t.date} ${formatHhMm(t.minutes)} ${timeZone}`;
}
