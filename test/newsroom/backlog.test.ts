import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/delivery/outbox.js";
import { BacklogWatch } from "../../src/newsroom/notify.js";

const article = (id: string) => ({ kind: "render" as const, type: "article", data: { articleId: id } });

describe("the delivery budget, in messages", () => {
  it("counts a busy hour as messages: with bundling a chat's articles are one message, without they are one each", async () => {
    const outbox = new Outbox(new Keyv());
    await outbox.load();
    const readers = Array.from({ length: 400 }, (_, i) => 1000 + i);
    for (let n = 0; n < 20; n++) await outbox.fanOut({ id: `article:${n}`, priority: "bulk", payload: article(`a${n}`), recipients: readers });
    await outbox.enqueue({ chatId: -100, priority: "broadcast", payload: article("a0") });
    expect(outbox.backlogMessages(true)).toBe(400 + 1);
    expect(outbox.backlogMessages(false)).toBe(8000 + 1);
    // Held until tomorrow (quiet hours) is not a backlog of now.
    await outbox.enqueue({ chatId: 7, priority: "bulk", payload: article("a1"), notBeforeMs: Date.now() + 8 * 3600_000 });
    expect(outbox.backlogMessages(true)).toBe(401);
  });

  it("tells the newsroom once when the projection passes the bound, and once when it has caught up", async () => {
    let drainSeconds = 0;
    const told: string[] = [];
    const watch = new BacklogWatch({
      stats: () => ({ backlogMessages: Math.round(drainSeconds * 29), drainSeconds }),
      boundSeconds: 1800,
      alert: (p) => Promise.resolve(void told.push(`behind ${p.messages} ${p.minutes}`)),
      recovered: () => Promise.resolve(void told.push("caught up")),
    });
    await watch.check();
    drainSeconds = 3600;
    await watch.check();
    await watch.check();
    drainSeconds = 1200; // under the bound but not under half of it: no flapping
    await watch.check();
    drainSeconds = 60;
    await watch.check();
    await watch.check();
    expect(told).toEqual(["behind 104400 60", "caught up"]);
  });
});
