import type { InjectedError } from "./types.js";

/** A Bot API error answer: thrown by method handlers, turned into `{ok:false,…}` by the server. */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {
    super(description);
    this.name = "ApiFailure";
  }

  /** Builds a failure from an injected error description. */
  static from(error: InjectedError): ApiFailure {
    const parameters: { retry_after?: number; migrate_to_chat_id?: number } = {};
    if (error.retryAfterSeconds !== undefined) parameters.retry_after = error.retryAfterSeconds;
    if (error.migrateToChatId !== undefined) parameters.migrate_to_chat_id = error.migrateToChatId;
    return new ApiFailure(error.code, error.description, Object.keys(parameters).length > 0 ? parameters : undefined);
  }
}

/** 400 with Telegram's "Bad Request: " prefix. */
export function badRequest(reason: string): ApiFailure {
  return new ApiFailure(400, `Bad Request: ${reason}`);
}

/** The status line text for a 5xx, since telegraf reports statusText, not the body, for those. */
export function statusText(status: number): string {
  const known: Record<number, string> = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return known[status] ?? "Server Error";
}
