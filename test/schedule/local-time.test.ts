import { describe, expect, it } from "vitest";
import { inQuietHours, localTime, parseHhMm, parseQuiet, quietEndsAt } from "../../src/schedule/local-time.js";

const SH = "Asia/Shanghai";
// 2024-02-23 15:01 in Shanghai is 07:01 UTC.
const t = Date.UTC(2024, 1, 23, 7, 1);

describe("local time", () => {
  it("gives wall-clock parts in the zone", () => {
    expect(localTime(t, SH)).toEqual({ date: "2024-02-23", hour: 15, minute: 1, minutes: 901 });
    expect(localTime(t, "UTC").hour).toBe(7);
    expect(localTime(Date.UTC(2024, 1, 23, 17, 0), SH).date).toBe("2024-02-24");
  });

  it("parses HH:MM and quiet ranges", () => {
    expect(parseHhMm("08:30")).toBe(510);
    expect(parseHhMm("8:05")).toBe(485);
    expect(parseHhMm("24:00")).toBeNull();
    expect(parseHhMm("noon")).toBeNull();
    expect(parseQuiet("22-07")).toEqual({ fromHour: 22, toHour: 7 });
    expect(parseQuiet("22:00–7:00")).toEqual({ fromHour: 22, toHour: 7 });
    expect(parseQuiet("9-9")).toBeNull();
    expect(parseQuiet("25-3")).toBeNull();
  });

  it("knows quiet hours across midnight and when they end", () => {
    const q = { fromHour: 22, toHour: 7 };
    const at = (h: number, m = 0) => Date.UTC(2024, 1, 23, h - 8, m); // Shanghai hour h
    expect(inQuietHours(at(23), SH, q)).toBe(true);
    expect(inQuietHours(at(6, 59), SH, q)).toBe(true);
    expect(inQuietHours(at(7), SH, q)).toBe(false);
    expect(inQuietHours(at(15), SH, q)).toBe(false);
    expect(quietEndsAt(at(23, 30), SH, q)).toBe(Date.UTC(2024, 1, 23, 23, 0)); // 07:00 next day in Shanghai
    const day = { fromHour: 12, toHour: 14 };
    expect(inQuietHours(at(13), SH, day)).toBe(true);
    expect(quietEndsAt(at(13, 15), SH, day)).toBe(at(14));
  });
});
