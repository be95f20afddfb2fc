import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DuplicateTopic, TopicRegistry } from "../../src/articles/topic-registry.js";
import { openStore, type Store } from "../../src/store/index.js";
import { applyTopicEdit, parseAddTopic, parseEditTopic } from "../../commands/topic-syntax.js";

const seed = [
  { id: "energy", name: "新能源", keywords: ["新能源", "光伏"] },
  { id: "travel", name: { "zh-CN": "旅游", en: "Travel" }, keywords: ["旅游"] },
];

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "newsdesk-topics-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await store.close();
});

async function freshStore(name: string): Promise<Store> {
  store = await openStore(`sqlite://${join(dir, `${name}.sqlite`)}`);
  return store;
}

describe("TopicRegistry: the YAML seeds it, chat edits persist and win", () => {
  it("adds after the YAML topics, keeps edits and removals across a new registry, and the stored record wins over the YAML", async () => {
    const s = await freshStore("persist");
    const a = new TopicRegistry(s, seed);
    await a.refresh();
    await a.add({ id: "harbour", name: { "zh-CN": "港口", en: "Harbour" }, keywords: ["港口", "port"] }, 7);
    await a.update("energy", { keywords: ["新能源", "储能"] });
    await a.remove("travel");
    await expect(a.add({ id: "harbour", name: { "zh-CN": "x", en: "x" }, keywords: ["x"] })).rejects.toBeInstanceOf(DuplicateTopic);
    expect(a.list().map((t) => [t.id, t.origin, t.keywords])).toEqual([
      ["energy", "chat", ["新能源", "储能"]],
      ["harbour", "chat", ["港口", "port"]],
    ]);

    // A restart: a new registry on the same store, the YAML unchanged.
    const b = new TopicRegistry(s, seed);
    await b.refresh();
    expect(b.list()).toEqual(a.list());
    // A removed topic may be added again with the same id.
    await b.add({ id: "travel", name: { "zh-CN": "出行", en: "Getting around" }, keywords: ["出行"] });
    expect(b.get("travel")).toMatchObject({ name: { "zh-CN": "出行", en: "Getting around" }, origin: "chat" });
  });

  it("another instance sees a change once it refreshes (what the runtime's topics event and the timer do)", async () => {
    const s = await freshStore("instances");
    const changed: string[] = [];
    const here = new TopicRegistry(s, seed, { onChanged: (id) => changed.push(id) });
    const there = new TopicRegistry(s, seed);
    await Promise.all([here.refresh(), there.refresh()]);
    const before = there.list();
    await here.add({ id: "harbour", name: { "zh-CN": "港口", en: "Harbour" }, keywords: ["港口"] });
    expect(changed).toEqual(["harbour"]);
    expect(here.get("harbour")).toBeDefined();
    // Same array until something changes (matching caches compiled keywords by it), a refresh that finds nothing new included.
    expect(there.list()).toBe(before);
    await there.refresh();
    const seen = there.list();
    await there.refresh();
    expect(there.list()).toBe(seen);
    expect(there.list().map((t) => t.id)).toEqual(["energy", "travel", "harbour"]);
  });
});

describe("topic command syntax", () => {
  it("reads /addtopic in either script, with full-width separators", () => {
    expect(parseAddTopic("Energy2 新能源｜New energy｜光伏，solar、新能源, solar")).toEqual({
      ok: true,
      value: { id: "energy2", name: { "zh-CN": "新能源", en: "New energy" }, keywords: ["光伏", "solar", "新能源"] },
    });
    expect(parseAddTopic("能源 新能源 | New energy | 光伏")).toEqual({ ok: false, problem: { kind: "bad-id", id: "能源" } });
    expect(parseAddTopic("energy")).toEqual({ ok: false, problem: { kind: "parts", count: 0 } });
  });

  it("reads keyword changes: signs start words, a hyphen inside a word stays, signed and unsigned do not mix", () => {
    expect(parseEditTopic("energy keywords +electric car, -光伏 ＋e-bike")).toEqual({
      ok: true,
      value: { id: "energy", edit: { kind: "keyword-changes", add: ["electric car", "e-bike"], remove: ["光伏"] } },
    });
    expect(parseEditTopic("energy 关键词 光伏，储能")).toEqual({ ok: true, value: { id: "energy", edit: { kind: "keywords", keywords: ["光伏", "储能"] } } });
    expect(parseEditTopic("energy 英文 New energy")).toEqual({ ok: true, value: { id: "energy", edit: { kind: "name", lang: "en", name: "New energy" } } });
    expect(parseEditTopic("energy kw 储能 -光伏")).toEqual({ ok: false, problem: { kind: "mixed-signs" } });
    const topic = { id: "energy", name: "新能源", keywords: ["新能源", "光伏"] };
    expect(applyTopicEdit(topic, { kind: "keyword-changes", add: ["储能", "新能源"], remove: ["光伏"] })).toEqual({
      ok: true,
      value: { name: { "zh-CN": "新能源", en: "新能源" }, keywords: ["新能源", "储能"] },
    });
    expect(applyTopicEdit(topic, { kind: "keyword-changes", add: [], remove: ["新能源", "光伏"] })).toEqual({ ok: false, problem: { kind: "no-keywords" } });
  });
});
