// Runs decode + parse + normalise off the main thread; see parse-pool.ts.
import { parentPort } from "node:worker_threads";
import { FeedError } from "./errors.js";
import { processFeedBytes, type ProcessContext } from "./pipeline.js";

interface Job {
  id: number;
  bytes: Uint8Array;
  ctx: ProcessContext;
}

const port = parentPort;
if (port) {
  port.on("message", (job: Job) => {
    processFeedBytes(job.bytes, job.ctx).then(
      (result) => port.postMessage({ id: job.id, ok: true, result }),
      (err: unknown) => {
        const error =
          err instanceof FeedError
            ? err.toJSON()
            : { kind: "malformed-xml", message: err instanceof Error ? err.message : String(err) };
        port.postMessage({ id: job.id, ok: false, error });
      },
    );
  });
}
