import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";

describe("ChatRepo.reload (the cluster's periodic refresh)", () => {
  it("keeps a local change that lands while the store is being read, and drops records deleted elsewhere", async () => {
    const kv = new Keyv();
    const repo = new ChatRepo(kv);
    await repo.ensure(1, "private");
    await repo.subscribe(1, "energy");
    await repo.ensure(3, "private");
    await repo.subscribe(3, "energy");
    await repo.load();
    // Another instance deletes chat 3 behind this repo's back.
    await new ChatRepo(kv).delete(3);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const iterate = kv.iterator!.bind(kv);
    // The store has been read, but the fresh index is not swapped in yet.
    kv.iterator = async function* (namespace?: string) {
      yield* iterate(namespace);
      await gate;
    } as typeof kv.iterator;
    const reloading = repo.reload();
    await new Promise((r) => setTimeout(r, 10));
    await repo.ensure(2, "private");
    await repo.subscribe(2, "energy");
    release();
    await reloading;
    expect((await repo.subscribersFor(["energy"])).sort()).toEqual([1, 2]);
    expect(repo.isActive(3)).toBeUndefined();
  });
});
