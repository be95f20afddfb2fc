import { afterEach, describe, expect, it } from "vitest";
import { command, user } from "../support/updates.js";
import { shanghai, startHarness, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a digest due while the bot was down", () => {
  it("is sent after a restart, and the next day's digest still comes at its time", async () => {
    h = await startHarness({ startAt: shanghai("2025-03-09T23:00:00") });
    h.feed.items.push(h.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
    const reader = user({ id: 8701, first_name: "Night", language_code: "zh-hans" });
    h.double.pushUpdate(command(reader, "/subscribe energy"));
    await until(() => h!.double.sent(reader.id).length === 1);
    h.double.pushUpdate(command(reader, "/digest 23:50"));
    await until(() => h!.double.sent(reader.id).length === 2);
    await h.app.scheduler.pollAll();
    // The digest timer runs every 30 s; the test ticks after each jump of the clock.
    h.clock.set(shanghai("2025-03-09T23:51:00"));
    expect(await h.app.tickDigests()).toBe(0); // only the backlog: nothing to send

    h.clock.set(shanghai("2025-03-10T23:00:00"));
    expect(await h.app.tickDigests()).toBe(0);
    h.feed.items.unshift(h.item(2, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(1);
    h.clock.set(shanghai("2025-03-10T23:40:00"));
    expect(await h.app.tickDigests()).toBe(0);

    // Down from 23:40 to 00:10: the 23:50 digest of the 10th is caught up after the restart.
    await h.restart(shanghai("2025-03-11T00:10:00"));
    expect(await h.app.tickDigests()).toBe(1);
    await until(() => h!.double.sent(reader.id).length === 3);
    expect(h.double.sent(reader.id)[2]!.text).toContain("威海光伏新能源项目开工");

    // The 11th has its own digest at 23:50.
    h.clock.set(shanghai("2025-03-11T22:00:00"));
    h.feed.items.unshift(h.item(3, "海上光伏电站并网发电", "首个海上光伏电站并网。", 1));
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(1);
    expect(await h.app.tickDigests()).toBe(0);
    h.clock.set(shanghai("2025-03-11T23:50:10"));
    expect(await h.app.tickDigests()).toBe(1);
    await until(() => h!.double.sent(reader.id).length === 4);
    expect(h.double.sent(reader.id)[3]!.text).toContain("海上光伏电站并网发电");
  });
});
