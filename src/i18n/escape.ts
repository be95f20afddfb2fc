/** Escapes text for Telegram HTML (& < > "): every value put into a message goes through this. */
export function h(value: string | number): string {
  return String(value).replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}
