/** Labelled news from ../shared/corpus/news (never copied into the repository), for bench/ and test/e2e/related-chat.ts. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where the labelled news lives; absent in a fresh clone. */
export const NEWS = resolve(import.meta.dirname, "../../shared/corpus/news");

/** One labelled headline (and body, where the corpus has one). */
export interface Labelled {
  title: string;
  summary: string;
  label: string;
}

export function loadThuc(split: string): Labelled[] {
  const text = readFileSync(join(NEWS, "zh/thucnews-titles", `${split}.txt`), "utf8");
  return text
    .split("\n")
    .filter((l) => l.includes("\t"))
    .map((l) => {
      const [title, label] = l.split("\t");
      return { title: title!, summary: "", label: label!.trim() };
    });
}

export function loadTnews(): Labelled[] {
  return readFileSync(join(NEWS, "zh/fewclue-tnews/test_public.json"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const r = JSON.parse(l) as { sentence: string; label: number | string };
      return { title: r.sentence, summary: "", label: String(r.label) };
    });
}

export function loadBbc(): Labelled[] {
  const root = join(NEWS, "en/bbc-mlg-ucd/bbc");
  const out: Labelled[] = [];
  for (const label of readdirSync(root).filter((d) => !d.includes("."))) {
    for (const f of readdirSync(join(root, label)).sort()) {
      // sport/199.txt carries a raw Latin-1 £; latin1 decoding of ASCII/UTF-8 would garble the
      // rest, so decode UTF-8 and fall back to latin1 only for invalid files.
      const buf = readFileSync(join(root, label, f));
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
      } catch {
        text = buf.toString("latin1");
      }
      const [head, ...rest] = text.split("\n");
      out.push({ title: head!.trim(), summary: rest.join(" ").replace(/\s+/g, " ").trim(), label });
    }
  }
  return out;
}
