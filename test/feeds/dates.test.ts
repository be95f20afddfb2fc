import { describe, expect, it } from "vitest";
import { parseFeedDate, tzOffsetMinutes } from "../../src/feeds/dates.js";

const utc = (...p: [number, number, number, number?, number?, number?]): number => Date.UTC(p[0], p[1] - 1, p[2], p[3] ?? 0, p[4] ?? 0, p[5] ?? 0);

describe("parseFeedDate", () => {
  it.each<[string, string, number]>([
    ["RFC 822 with offset", "Tue, 05 Mar 2024 08:30:00 +0800", utc(2024, 3, 5, 0, 30)],
    ["RFC 822 GMT", "Wed, 29 May 2019 10:16:00 GMT", utc(2019, 5, 29, 10, 16)],
    ["RFC 822 Z", "Thu, 14 May 2020 10:00:18 Z", utc(2020, 5, 14, 10, 0, 18)],
    ["BST zone", "Fri, 17 May 2019 06:00:00 BST", utc(2019, 5, 17, 5)],
    ["EST zone", "Wed, 17 Jan 2018 15:50:00 EST", utc(2018, 1, 17, 20, 50)],
    ["no weekday", "07 Jan 2017 17:12:53 +0300", utc(2017, 1, 7, 14, 12, 53)],
    ["2-digit year", "Thu, 07 Dec 17 10:00:29 -0800", utc(2017, 12, 7, 18, 0, 29)],
    ["Portuguese names", "Seg, 24 Set 2018 19:42:40 -0300", utc(2018, 9, 24, 22, 42, 40)],
    ["Italian names", "mer, 16 nov 2022 00:38:15 +0100", utc(2022, 11, 15, 23, 38, 15)],
    ["Greek names", "Τρι, 29 Ιούν 2004 12:53:00 GMT", utc(2004, 6, 29, 12, 53)],
    ["CDATA with spaces", "<![CDATA[Wed, 29 May 2019 08:53:48 GMT]]> ", utc(2019, 5, 29, 8, 53, 48)],
    ["ISO 8601 offset", "2023-01-11T08:53:01+11:00", utc(2023, 1, 10, 21, 53, 1)],
    ["ISO 8601 fraction Z", "2024-03-01T12:00:00.123Z", utc(2024, 3, 1, 12) + 123 - 123],
    ["SQL datetime, feed zone", "2018-12-13 00:00:00", utc(2018, 12, 12, 16)],
    ["slashed, feed zone", "2020/1/10 14:33:00", utc(2020, 1, 10, 6, 33)],
    ["date only, feed zone", "2023-12-16", utc(2023, 12, 15, 16)],
    ["Unix seconds", "1518478934", 1518478934000],
  ])("%s", (_name, raw, expected) => {
    expect(parseFeedDate(raw, "Asia/Shanghai")).toBe(expected);
  });

  it.each(["", "   ", "not a date", "32 Foo 2020", undefined])("gives up on %j", (raw) => {
    expect(parseFeedDate(raw, "UTC")).toBeUndefined();
  });

  it("reads zone-less times in a DST zone correctly on both sides of the change", () => {
    expect(parseFeedDate("2024-01-15 12:00:00", "Europe/London")).toBe(utc(2024, 1, 15, 12));
    expect(parseFeedDate("2024-07-15 12:00:00", "Europe/London")).toBe(utc(2024, 7, 15, 11));
    expect(tzOffsetMinutes("Asia/Shanghai", utc(2024, 1, 1))).toBe(480);
  });
});
