// Trains the related-articles LSA space off the main thread; see latent.ts.
import { parentPort } from "node:worker_threads";
import { SemanticSpace, type SemanticOptions, type TermCounts } from "./semantic.js";

const port = parentPort;
if (port) {
  port.once("message", (job: { sample: TermCounts[]; opts: SemanticOptions }) => {
    const parts = SemanticSpace.train(job.sample, job.opts).toParts();
    port.postMessage(parts, [parts.idf.buffer, parts.proj.buffer]);
  });
}
