// Month names by prefix in the languages found in real feeds (en, pt, es, it, fr, de, nl, el, cs, ru).
const MONTHS: ReadonlyArray<readonly string[]> = [
  ["jan", "gen", "ene", "janv", "jän", "ιαν", "led", "янв"],
  ["feb", "fev", "fév", "févr", "φεβ", "úno", "фев"],
  ["mar", "mär", "mrz", "maa", "μαρ", "bře", "мар"],
  ["apr", "abr", "avr", "απρ", "dub", "апр"],
  ["may", "mai", "mag", "mei", "μαΐ", "μαι", "kvě", "мая", "май"],
  ["jun", "giu", "juin", "ιουν", "čer", "июн"],
  ["jul", "lug", "juil", "ιουλ", "čvc", "июл"],
  ["aug", "ago", "août", "aoû", "αυγ", "srp", "авг"],
  ["sep", "set", "sept", "σεπ", "zář", "сен"],
  ["oct", "out", "ott", "okt", "οκτ", "říj", "окт"],
  ["nov", "νοε", "νοέ", "lis", "ноя"],
  ["dec", "dez", "dic", "déc", "dès", "δεκ", "pro", "дек"],
];

const ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, bst: 60, ist: 330, cet: 60, cest: 120, met: 60, mest: 120, eet: 120,
  eest: 180, msk: 180, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, jst: 540, kst: 540, hkt: 480, sgt: 480, aest: 600, aedt: 660,
};

function fold(word: string): string {
  return word.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "");
}
const FOLDED_MONTHS = MONTHS.map((names) => names.map(fold));

// Feeds repeat a dozen month spellings thousands of times; folding (NFD) each one again is not free.
const MONTH_OF = new Map<string, number | undefined>();

function monthIndex(word: string): number | undefined {
  if (MONTH_OF.has(word)) return MONTH_OF.get(word);
  const m = findMonth(word);
  if (MONTH_OF.size < 1000) MONTH_OF.set(word, m);
  return m;
}

function findMonth(word: string): number | undefined {
  const w = fold(word).replace(/\.$/, "");
  if (w.length < 3) return undefined;
  for (let m = 0; m < 12; m++) {
    if (FOLDED_MONTHS[m]!.some((p) => w.startsWith(p) || (p.length > w.length && p.startsWith(w)))) return m;
  }
  return undefined;
}

function zoneOffsetMinutes(zone: string | undefined): number | null | undefined {
  if (!zone) return null;
  const z = zone.trim();
  const num = /^(?:GMT|UTC|UT)?([+-])(\d{1,2}):?(\d{2})?$/i.exec(z);
  if (num) return (num[1] === "-" ? -1 : 1) * (Number(num[2]) * 60 + Number(num[3] ?? 0));
  return ZONES[z.toLowerCase()];
}

// Building a DateTimeFormat costs far more than using one.
const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The numeric value of one part of formatToParts (0 when absent); a function, not a closure per call. */
function part(parts: readonly Intl.DateTimeFormatPart[], type: Intl.DateTimeFormatPartTypes): number {
  for (const p of parts) if (p.type === type) return Number(p.value);
  return 0;
}

/** Offset in minutes of an IANA zone at a UTC instant (e.g. 480 for Asia/Shanghai). */
export function tzOffsetMinutes(timeZone: string, utcMs: number): number {
  let format = FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    FORMATS.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(utcMs));
  const asUtc = Date.UTC(part(parts, "year"), part(parts, "month") - 1, part(parts, "day"), part(parts, "hour"), part(parts, "minute"), part(parts, "second"));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

function wallToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, offset: number | null, timeZone: string): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const wall = Date.UTC(y, mo, d, h, mi, s);
  if (!Number.isFinite(wall)) return undefined;
  if (offset !== null) return wall - offset * 60_000;
  // A wall time without zone: interpret it in the feed's zone (two steps settle DST edges).
  let utc = wall - tzOffsetMinutes(timeZone, wall) * 60_000;
  utc = wall - tzOffsetMinutes(timeZone, utc) * 60_000;
  return utc;
}

function fullYear(y: string): number {
  const n = Number(y);
  return y.length <= 2 ? (n < 70 ? 2000 + n : 1900 + n) : n;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/;
const SLASHED = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/;
// [weekday,] day month year [time] [zone] — weekday and month in any language.
const RFC822 = /^(?:[^\s,\d]+\.?,?\s*)?(\d{1,2})[\s-]+([^\s\d,.-]+)\.?[\s-]+(\d{2,4})(?:[\s,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(.*)$/u;
// month day, year [time] [zone] (US style)
const US = /^(?:[^\s,\d]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})(?:[\s,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?\s*(.*)$/;

/**
 * Parses a feed date to epoch ms (UTC): RFC 822 (any-language names, 2-digit years, zone names),
 * ISO 8601, "2020/1/10 14:33:00", SQL datetimes, Unix seconds. Dates without a zone are read in
 * `timeZone` (default "UTC"). Returns undefined when nothing sensible comes out.
 */
export function parseFeedDate(raw: string | undefined | null, timeZone = "UTC"): number | undefined {
  if (typeof raw !== "string") return undefined;
  const unwrapped = raw.includes("]]>") || raw.includes("<![CDATA[") ? raw.replace(/<!\[CDATA\[|\]\]>/g, "") : raw;
  // Only runs other than one plain space need replacing (a date has several of those).
  const s = unwrapped.replace(/ \s+|[^\S ]\s*/g, " ").trim();
  if (!s) return undefined;
  if (/^\d{10}$/.test(s)) return Number(s) * 1000;
  if (/^\d{13}$/.test(s)) return Number(s);
  let m = ISO.exec(s) ?? SLASHED.exec(s);
  if (m) {
    const offset = zoneOffsetMinutes(m[7]);
    if (offset === undefined) return undefined;
    return wallToUtc(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), offset, timeZone);
  }
  m = RFC822.exec(s);
  if (m) {
    const month = monthIndex(m[2]!);
    const offset = zoneOffsetMinutes(m[7]?.replace(/^\(|\)$/g, "").split(" ")[0]);
    if (month !== undefined && offset !== undefined) {
      return wallToUtc(fullYear(m[3]!), month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), offset, timeZone);
    }
  }
  m = US.exec(s);
  if (m) {
    const month = monthIndex(m[1]!);
    const offset = zoneOffsetMinutes(m[8]?.split(" ")[0]);
    if (month !== undefined && offset !== undefined) {
      let hour = Number(m[4] ?? 0);
      if (m[7]) hour = (hour % 12) + (/p/i.test(m[7]) ? 12 : 0);
      return wallToUtc(Number(m[3]), month, Number(m[2]), hour, Number(m[5] ?? 0), Number(m[6] ?? 0), offset, timeZone);
    }
  }
  // Last resort only for strings that carry their own zone, so the host's zone never leaks in.
  if (/(Z|GMT|UTC|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}
