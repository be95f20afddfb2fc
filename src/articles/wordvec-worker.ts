// Trains the archive's word vectors and embeds its articles off the main thread; see wordvec-job.ts.
import { parentPort } from "node:worker_threads";
import { embedTexts, type WordVecRequest } from "./wordvec-job.js";
import { WordVecModel } from "./wordvec-model.js";
import { trainWordVectors, type WordVecText } from "./wordvec-train.js";

const port = parentPort;
if (port) {
  let texts: WordVecText[] = [];
  let model: WordVecModel | null = null;
  port.on("message", (msg: WordVecRequest) => {
    switch (msg.kind) {
      case "texts":
        texts.push(...msg.texts);
        return;
      case "train": {
        const parts = trainWordVectors(texts, msg.opts);
        texts = [];
        model = new WordVecModel(parts);
        // Cloned, not transferred: this thread embeds with it next.
        port.postMessage(parts);
        return;
      }
      case "embed": {
        if (model === null) throw new Error("embed before train");
        const out = embedTexts(model, msg.texts);
        // Cloned, not transferred, as train-worker.ts says.
        port.postMessage(out);
        return;
      }
    }
  });
}
