// Trains the related-articles LSA space off the main thread; see latent.ts.
import { parentPort } from "node:worker_threads";
import { SemanticSpace, type SemanticOptions } from "./semantic.js";

const port = parentPort;
if (port) {
  port.once("message", (job: { texts: Array<[string, string]>; opts: SemanticOptions }) => {
    const parts = SemanticSpace.trainOnTexts(job.texts, job.opts).toParts();
    port.postMessage(parts, [parts.idf.buffer, parts.proj.buffer]);
  });
}
