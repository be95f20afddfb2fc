// Trains the related-articles LSA space off the main thread; see latent.ts.
import { parentPort } from "node:worker_threads";
import { SemanticSpace, type SemanticOptions } from "./semantic.js";

const port = parentPort;
if (port) {
  port.once("message", (job: { texts: Array<[string, string]>; opts: SemanticOptions }) => {
    const parts = SemanticSpace.trainOnTexts(job.texts, job.opts).toParts();
    // Cloned, not transferred: a transferred buffer stays where this thread's allocator put it, and
    // held by the main thread for as long as the space serves, it kept this thread's emptied malloc
    // arena (tens of MB) from being given back.
    port.postMessage(parts);
  });
}
