// Trains the related-articles LSA space off the main thread; see latent.ts.
import { parentPort } from "node:worker_threads";
import { SemanticSpace, type SpaceTrainer } from "./semantic.js";
import type { TrainRequest } from "./latent.js";

const port = parentPort;
if (port) {
  let trainer: SpaceTrainer | null = null;
  port.on("message", (msg: TrainRequest) => {
    switch (msg.kind) {
      case "start":
        trainer = SemanticSpace.trainer(msg.opts);
        return;
      case "texts":
        if (trainer === null) throw new Error("texts before start");
        // Reduced to term counts at once: the sample's texts are never all held here.
        trainer.add(msg.texts);
        return;
      case "train": {
        if (trainer === null) throw new Error("train before start");
        const parts = trainer.train().toParts();
        trainer = null;
        // Cloned, not transferred: a transferred buffer stays where this thread's allocator put it, and
        // held by the main thread for as long as the space serves, it kept this thread's emptied malloc
        // arena (tens of MB) from being given back.
        port.postMessage(parts);
        return;
      }
    }
  });
}
