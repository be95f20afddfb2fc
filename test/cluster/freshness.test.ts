import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArticleArchive } from "../../src/articles/archive.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { ChatRepo } from "../../src/chats/repo.js";
import { RedisRuntime, clusterSettingsFromEnv } from "../../src/runtime/redis.js";
import { openStore, type Store } from "../../src/store/index.js";
import { art } from "../articles/fixtures.js";
import { connect, dropPrefix, freshPrefix, REDIS_URL, redisReachable, until } from "./redis.js";

const up = await redisReachable();

interface Node {
  store: Store;
  cluster: RedisRuntime;
  chats: ChatRepo;
  index: ArticleIndex;
  archive: ArticleArchive;
}

describe.skipIf(!up)("change notifications between instances (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let prefix: string;
  let nodes: Node[];

  async function node(refreshEveryMs = 600_000): Promise<Node> {
    const store = await openStore(REDIS_URL, { prefix: prefix.slice(0, -1) });
    const settings = { ...clusterSettingsFromEnv({}), prefix, refreshEveryMs };
    const cluster = await RedisRuntime.open(REDIS_URL, settings, pino({ level: "silent" }), { globalPerSecond: 29, perChatIntervalMs: 1000, groupPerMinute: 20 });
    const chats = new ChatRepo(store.namespace("chats"), { onChanged: (id) => cluster.publish({ kind: "chats", ids: [id] }) });
    const index = new ArticleIndex();
    const archive = new ArticleArchive(store.namespace("articles"));
    cluster.follow({ chats, index, archive });
    await chats.load();
    await cluster.start();
    const n = { store, cluster, chats, index, archive };
    nodes.push(n);
    return n;
  }

  beforeEach(() => {
    prefix = freshPrefix();
    nodes = [];
  });
  afterEach(async () => {
    for (const n of nodes) {
      await n.cluster.stop();
      await n.store.close();
    }
    const admin = await connect();
    await dropPrefix(admin, prefix);
    await dropPrefix(admin, `${prefix.slice(0, -1)}:`);
    await admin.close();
  });

  it("a subscription, a deactivation and a /forget on one instance reach the other's subscriber index", async () => {
    const a = await node();
    const b = await node();
    await a.chats.ensure(501, "private");
    await a.chats.subscribe(501, "energy");
    await until(async () => (await b.chats.subscribersFor(["energy"])).includes(501), 15_000, "b sees the subscription");
    await a.chats.deactivate(501, "blocked");
    await until(() => b.chats.isActive(501) === false, 15_000, "b sees the deactivation");
    await a.chats.delete(501);
    await until(() => b.chats.isActive(501) === undefined, 15_000, "b sees the deletion");
    expect(await b.chats.subscribersFor(["energy"])).toEqual([]);
  });

  it("articles archived on the poller are indexed on the others", async () => {
    const a = await node();
    const b = await node();
    const fresh = [art("新能源汽车电子项目开工"), art("光伏电站并网发电")];
    await a.archive.put(fresh);
    a.cluster.publish({ kind: "articles", ids: fresh.map((x) => x.id) });
    await until(() => fresh.every((x) => b.index.has(x.id)), 15_000, "b indexed them");
    expect(b.index.search("光伏").hits.map((h) => h.article.id)).toContain(fresh[1]!.id);
  });

  it("the periodic refresh repairs a missed notification", async () => {
    const a = await node();
    // A change written behind the bus's back (as if the message had been lost).
    const quiet = new ChatRepo(a.store.namespace("chats"));
    const b = await node(1000);
    await quiet.ensure(777, "private");
    await quiet.subscribe(777, "energy");
    expect(await b.chats.subscribersFor(["energy"])).toEqual([]);
    await until(async () => (await b.chats.subscribersFor(["energy"])).includes(777), 15_000, "b reloaded");
  });

  it("runs leader duties (the tip queue) on the leader only, hands them over, and carries other instances' kicks", async () => {
    const a = await node(1000);
    const started: string[] = [];
    const kicks: string[] = [];
    const duty = (name: string) => () => {
      started.push(name);
      return () => Promise.resolve();
    };
    // a leads already; duties registered now start with the next term (the app registers them before start()).
    const b = await node(1000);
    a.cluster.whileLeader(duty("a"));
    b.cluster.whileLeader(duty("b"));
    b.cluster.onChange((event) => {
      if (event.kind === "tips") kicks.push("b");
    });
    await a.cluster.lease.stop();
    await until(() => b.cluster.isLeader, 15_000, "b leads");
    expect(started).toEqual(["b"]);
    // A tip taken on a non-leader kicks the leader's queue through the bus.
    a.cluster.publish({ kind: "tips" });
    await until(() => kicks.includes("b"), 15_000, "leader kicked");
  });
});
