import { escapeHtml } from "../delivery/html.js";

/** Escapes a value for Telegram HTML: every parameter put into a message goes through this. */
export function h(value: string | number): string {
  return escapeHtml(String(value));
}
