/**
 * The skip-gram loop (negative sampling, subword input rows) of fastText's unsupervised model,
 * over documents already turned into word ids, in plain typed arrays on one thread.
 */

/** Documents as word ids, with each word's input rows and what is predicted. */
export interface SkipGramCorpus {
  docs: readonly Int32Array[];
  /** Word occurrences in `docs`. */
  total: number;
  /** Word id → its input rows: `rows[rowStart[id]]` up to `rows[rowStart[id + 1]]`. */
  rowStart: Int32Array;
  rows: Int32Array;
  /** Word id → output row, −1 for a word too rare to be predicted. */
  outputOf: Int32Array;
  /** Output row → occurrences (negative samples are drawn ∝ √count, fastText's choice). */
  outputCounts: readonly number[];
  /** Word id → chance that an occurrence is kept (frequent-word subsampling; 1: always). */
  keep: Float32Array;
}

/** Settings of {@link trainSkipGram}, all set. */
export interface SkipGramSettings {
  dims: number;
  /** Input rows. */
  buckets: number;
  epochs: number;
  window: number;
  negatives: number;
  learningRate: number;
}

const NEG_TABLE = 1 << 20;

/** Trains the input rows (buckets × dims) and says which rows any update reached. */
export function trainSkipGram(
  corpus: SkipGramCorpus,
  settings: SkipGramSettings,
  rand: () => number,
): { input: Float32Array; trained: Uint8Array } {
  const { dims, buckets, epochs, window, negatives, learningRate } = settings;
  const { docs, total, rowStart, rows, outputOf, keep } = corpus;
  const V = corpus.outputCounts.length;
  const negTable = negativeTable(corpus.outputCounts, rand);
  const input = new Float32Array(buckets * dims);
  for (let i = 0; i < input.length; i++) input[i] = (rand() * 2 - 1) / dims;
  const trained = new Uint8Array(buckets);
  if (V === 0) return { input, trained };
  const output = new Float32Array(V * dims);
  const hidden = new Float32Array(dims);
  const grad = new Float32Array(dims);
  /** One logistic step for the current hidden vector: adds to grad, updates the output row. */
  const step = (o: number, label: number, lr: number): void => {
    const ob = o * dims;
    let dot = 0;
    for (let j = 0; j < dims; j++) dot += hidden[j]! * output[ob + j]!;
    const alpha = lr * (label - sigmoid(dot));
    for (let j = 0; j < dims; j++) {
      grad[j]! += alpha * output[ob + j]!;
      output[ob + j]! += alpha * hidden[j]!;
    }
  };
  const work = epochs * total;
  let done = 0;
  let negPos = 0;
  const line: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const doc of docs) {
      line.length = 0;
      for (const id of doc) if (keep[id]! >= 1 || rand() < keep[id]!) line.push(id);
      const lr = learningRate * Math.max(1e-4, 1 - done / work);
      done += doc.length;
      for (let i = 0; i < line.length; i++) {
        const center = line[i]!;
        const r0 = rowStart[center]!;
        const r1 = rowStart[center + 1]!;
        // The centre's vector (mean of its rows) once for its whole window, its rows updated after
        // it: a fifth less arithmetic than fastText's update per context word, same figures here.
        hidden.fill(0);
        for (let r = r0; r < r1; r++) {
          const base = rows[r]! * dims;
          for (let j = 0; j < dims; j++) hidden[j]! += input[base + j]!;
        }
        const scale = 1 / (r1 - r0);
        for (let j = 0; j < dims; j++) hidden[j]! *= scale;
        grad.fill(0);
        let contexts = 0;
        const ws = 1 + Math.floor(rand() * window);
        for (let c = Math.max(0, i - ws); c <= Math.min(line.length - 1, i + ws); c++) {
          if (c === i) continue;
          const target = outputOf[line[c]!]!;
          if (target < 0) continue;
          contexts++;
          step(target, 1, lr);
          for (let n = 0; n < negatives; n++) {
            let o: number;
            do o = negTable[negPos++ & (NEG_TABLE - 1)]!;
            while (o === target && V > 1);
            step(o, 0, lr);
          }
        }
        if (contexts === 0) continue;
        for (let r = r0; r < r1; r++) {
          const row = rows[r]!;
          trained[row] = 1;
          const base = row * dims;
          for (let j = 0; j < dims; j++) input[base + j]! += grad[j]!;
        }
      }
    }
  }
  return { input, trained };
}

/** Output rows repeated ∝ √count, shuffled: a draw is one lookup. */
function negativeTable(counts: readonly number[], rand: () => number): Int32Array {
  const table = new Int32Array(NEG_TABLE);
  if (counts.length === 0) return table;
  let z = 0;
  for (const c of counts) z += Math.sqrt(c);
  let pos = 0;
  counts.forEach((c, o) => {
    const n = Math.round((Math.sqrt(c) / z) * NEG_TABLE);
    for (let i = 0; i < n && pos < NEG_TABLE; i++) table[pos++] = o;
  });
  while (pos < NEG_TABLE) table[pos++] = Math.floor(rand() * counts.length);
  for (let i = NEG_TABLE - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = table[i]!;
    table[i] = table[j]!;
    table[j] = t;
  }
  return table;
}

function sigmoid(x: number): number {
  if (x > 8) return 1;
  if (x < -8) return 0;
  return 1 / (1 + Math.exp(-x));
}
