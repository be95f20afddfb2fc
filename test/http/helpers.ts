import type { Update } from "telegraf/types";
import type { HttpLogger } from "../../src/http/webhook.js";

/** A logger that keeps every entry as JSON text, so tests can prove what was (not) logged. */
export function recordingLogger(): HttpLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (obj: object, msg?: string) => {
    lines.push(
      JSON.stringify({ level, msg, ...obj }, (_k, v: unknown) => (v instanceof Error ? v.message : v)),
    );
  };
  return { lines, debug: rec("debug"), warn: rec("warn"), error: rec("error") };
}

/** A minimal private-chat text message update. */
export function textUpdate(updateId: number, text: string): Update {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 1_700_000_000,
      chat: { id: 42, type: "private", first_name: "Reader" },
      from: { id: 42, is_bot: false, first_name: "Reader" },
      text,
    },
  };
}
