import { afterEach, describe, expect, it } from "vitest";
import { command, user } from "../support/updates.js";
import { startHarness, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("one hostile reader must not harm the others (Telegram's limits on)", () => {
  it("a 300-command flood from one user gets one polite answer, and a bystander's /help is answered while it is being refused", async () => {
    h = await startHarness();
    const flooder = user({ id: 9601, first_name: "Flo", language_code: "en" });
    const bystander = user({ id: 9602, first_name: "Bea", language_code: "en" });
    for (let i = 0; i < 300; i++) h.double.pushUpdate(command(flooder, `/search solar ${i}`));
    h.double.pushUpdate(command(bystander, "/help"));
    await until(() => h!.double.sent(bystander.id).length === 1, 20_000, "the bystander's /help");
    expect(h.double.sent(bystander.id)[0]!.text).toContain("/topics");
    // Answered while the flood is still mostly unanswered: it did not wait behind it.
    const answeredSoFar = h.double.sent(flooder.id).length;
    expect(answeredSoFar).toBeLessThan(50);
    // The flood: a burst's worth of answers and one "slow down", nothing more, and no 429 for anyone.
    await h.app.bot.runner.whenIdle();
    const toFlooder = h.double.sent(flooder.id);
    expect(toFlooder.filter((m) => m.text.includes("a lot of requests"))).toHaveLength(1);
    expect(toFlooder.length, toFlooder.map((m) => m.text.slice(0, 40)).join(" | ")).toBeLessThanOrEqual(12);
    expect(h.double.stats().rejected429).toBe(0);
  });
});
