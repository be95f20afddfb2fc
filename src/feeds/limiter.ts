/** Runs tasks with a global concurrency limit and a per-key (host) limit; resolves when all settle. */
export async function runLimited<T>(
  tasks: readonly T[],
  keyOf: (task: T) => string,
  run: (task: T) => Promise<void>,
  limits: { concurrency: number; perKey: number },
): Promise<void> {
  const pending = [...tasks];
  const activeByKey = new Map<string, number>();
  let active = 0;
  const concurrency = Math.max(1, limits.concurrency);
  const perKey = Math.max(1, limits.perKey);
  await new Promise<void>((resolve) => {
    const launch = (): void => {
      for (let i = 0; i < pending.length && active < concurrency; ) {
        const task = pending[i]!;
        const key = keyOf(task);
        if ((activeByKey.get(key) ?? 0) >= perKey) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        active++;
        activeByKey.set(key, (activeByKey.get(key) ?? 0) + 1);
        void run(task)
          .catch(() => undefined)
          .finally(() => {
            active--;
            activeByKey.set(key, (activeByKey.get(key) ?? 1) - 1);
            launch();
          });
      }
      if (active === 0 && pending.length === 0) resolve();
    };
    launch();
  });
}
