/** Wall-clock parts of an instant in a time zone. */
export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  hour: number;
  minute: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time of `epochMs` in `timeZone` (IANA). */
export function localTime(epochMs: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(epochMs).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour, minute, minutes: hour * 60 + minute };
}

/** `"08:30"` → minutes since midnight, or null when not a valid HH:MM. */
export function parseHhMm(text: string): number | null {
  const m = /^([01]?\d|2[0-3])[:：]([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Minutes since midnight → `"08:30"`. */
export function formatHhMm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export interface QuietHours {
  fromHour: number;
  toHour: number;
}

/** `"22-07"`, `"22:00-07:00"`, `"22–7"` → quiet hours, or null. Equal hours are refused (that would be all day or never). */
export function parseQuiet(text: string): QuietHours | null {
  const m = /^([01]?\d|2[0-3])(?::00)?\s*[-–—~至到]\s*([01]?\d|2[0-3])(?::00)?$/.exec(text.trim());
  if (!m) return null;
  const fromHour = Number(m[1]);
  const toHour = Number(m[2]);
  return fromHour === toHour ? null : { fromHour, toHour };
}

/** True when the local hour falls in [fromHour, toHour), wrapping past midnight. */
export function inQuietHours(epochMs: number, timeZone: string, q: QuietHours): boolean {
  const { hour } = localTime(epochMs, timeZone);
  return q.fromHour < q.toHour ? hour >= q.fromHour && hour < q.toHour : hour >= q.fromHour || hour < q.toHour;
}

/** The instant quiet hours end (next local `toHour:00`), for a delivery held during them. */
export function quietEndsAt(epochMs: number, timeZone: string, q: QuietHours): number {
  const lt = localTime(epochMs, timeZone);
  const delta = (q.toHour * 60 - lt.minutes + 1440) % 1440 || 1440;
  const startOfMinute = epochMs - (epochMs % 60_000);
  return startOfMinute + delta * 60_000;
}
