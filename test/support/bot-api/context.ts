import type { User } from "telegraf/types";
import type { FileStore } from "./files.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { ChatStore } from "./state.js";
import type { Params } from "./types.js";

/** What method handlers share. */
export interface MethodContext {
  store: ChatStore;
  files: FileStore;
  limiter: RateLimiter;
  nowMs: () => number;
  botUser: User;
  counters: { messagesSent: number; paidMessages: number };
}

/** A Bot API method: gets the decoded params, returns `result` or throws ApiFailure. */
export type Handler = (params: Params, ctx: MethodContext) => unknown;

/** Reads a numeric parameter that may arrive as a string (form and multipart bodies). */
export function numberParam(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}
