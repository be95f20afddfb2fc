import { afterEach, describe, expect, it } from "vitest";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createMetrics, sendResultOf, type Metrics } from "../../src/metrics.js";
import { recordingLogger } from "./helpers.js";

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"`;
// Values follow Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes "Nan").
const SAMPLE = new RegExp(
  `^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? (nan|[+-]?inf|[+-]?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)(?: -?\\d+)?$`,
  "i",
);
const COMMENT = new RegExp(`^# (HELP ${NAME} .*|TYPE ${NAME} (counter|gauge|histogram|summary|untyped))$`);

/** Checks the exposition format line by line; returns samples as "name{labels}" → value. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      expect(line, "comment line").toMatch(COMMENT);
      const m = /^# TYPE (\S+)/.exec(line);
      if (m?.[1]) typed.add(m[1]);
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `sample line: ${line}`).not.toBeNull();
    const name = m![1]!;
    const family = name.replace(/_(bucket|sum|count|total|created)$/, "");
    expect(typed.has(name) || typed.has(family), `TYPE declared before ${name}`).toBe(true);
    samples.set(name + (m![2] ?? ""), Number(m![3]));
  }
  return samples;
}

let server: HttpServer | undefined;
let port = 0;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function scrape(
  metrics: Metrics,
): Promise<{ contentType: string | null; samples: Map<string, number> }> {
  if (!server) {
    server = createHttpServer({ logger: recordingLogger(), metrics: metrics.registry });
    port = await server.listen(0, "127.0.0.1");
  }
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get("content-type"), samples: parsePrometheus(await res.text()) };
}

describe("/metrics", () => {
  it("serves valid Prometheus text including the default process metrics", async () => {
    const metrics = createMetrics();
    metrics.updateHandled("message", true);
    metrics.feedPolled("timeout");
    metrics.pollRoundFinished(3.2, true);
    const { contentType, samples } = await scrape(metrics);
    expect(contentType).toContain("text/plain");
    expect(samples.get('newsdesk_updates_handled_total{type="message",result="ok"}')).toBe(1);
    expect(samples.get('newsdesk_feed_polls_total{result="timeout"}')).toBe(1);
    expect(samples.get("newsdesk_poll_duration_seconds_count")).toBe(1);
    expect(samples.get('newsdesk_poll_duration_seconds_bucket{le="5"}')).toBe(1);
    expect(samples.get('newsdesk_poll_duration_seconds_bucket{le="2"}')).toBe(0);
    expect([...samples.keys()].some((k) => k.startsWith("process_cpu_user_seconds_total"))).toBe(true);
  });

  it("moves the sent counters when messages are sent, and counts a send's 429 once as a 429", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const before = (await scrape(metrics)).samples;
    expect(before.get('newsdesk_messages_sent_total{result="ok"}')).toBeUndefined();
    metrics.messageSent("ok");
    metrics.messageSent("ok");
    metrics.messageSent("429");
    metrics.telegram429();
    const after = (await scrape(metrics)).samples;
    expect(after.get('newsdesk_messages_sent_total{result="ok"}')).toBe(2);
    expect(after.get('newsdesk_messages_sent_total{result="429"}')).toBe(1);
    expect(after.get('newsdesk_telegram_429_total{source="send"}')).toBe(1);
    expect(after.get('newsdesk_telegram_429_total{source="other"}')).toBe(1);
  });

  it("reads the outbox depth at scrape time, NaN when the source fails", async () => {
    const metrics = createMetrics({ processMetrics: false });
    expect((await scrape(metrics)).samples.get("newsdesk_outbox_depth")).toBe(0);
    let depth = 17;
    metrics.setOutboxDepthSource(() => Promise.resolve(depth));
    expect((await scrape(metrics)).samples.get("newsdesk_outbox_depth")).toBe(17);
    depth = 3;
    expect((await scrape(metrics)).samples.get("newsdesk_outbox_depth")).toBe(3);
    metrics.setOutboxDepthSource(() => Promise.reject(new Error("store down")));
    expect((await scrape(metrics)).samples.get("newsdesk_outbox_depth")).toBeNaN();
  });

  it("keeps label values bounded and registries independent", async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.updateHandled("some_future_update", false);
    a.tipReceived();
    a.webhookRequest(418);
    const sa = parsePrometheus(await a.registry.metrics());
    const sb = parsePrometheus(await b.registry.metrics());
    expect(sa.get('newsdesk_updates_handled_total{type="other",result="error"}')).toBe(1);
    expect(sa.get("newsdesk_tips_received_total")).toBe(1);
    expect(sa.get('newsdesk_webhook_requests_total{status="other"}')).toBe(1);
    expect(sb.get("newsdesk_tips_received_total")).toBe(0);
  });

  it("records the last successful poll only for ok rounds", () => {
    let nowMs = 1000;
    const metrics = createMetrics({ processMetrics: false, now: () => nowMs });
    metrics.pollRoundFinished(1, false);
    expect(metrics.lastSuccessfulPollAtMs()).toBeUndefined();
    nowMs = 5000;
    metrics.pollRoundFinished(1, true);
    nowMs = 9000;
    metrics.pollRoundFinished(1, false);
    expect(metrics.lastSuccessfulPollAtMs()).toBe(5000);
  });
});

describe("sendResultOf", () => {
  it.each([
    [{ response: { error_code: 429 } }, "429"],
    [{ response: { error_code: 403 } }, "403"],
    [{ response: { error_code: 400 } }, "4xx"],
    [{ response: { error_code: 502 } }, "5xx"],
    [{ kind: "rate-limited" }, "429"],
    [{ kind: "chat-gone" }, "403"],
    [{ kind: "bad-request" }, "4xx"],
    [new Error("ECONNRESET"), "network"],
    [undefined, "network"],
  ])("maps %j to %s", (err, expected) => {
    expect(sendResultOf(err)).toBe(expected);
  });
});
