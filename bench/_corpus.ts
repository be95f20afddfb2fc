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
  /** Tags, where the corpus has them (TNEWS keywords). */
  categories?: string[];
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

/**
 * FewCLUE TNEWS: `test` is test_public.json (the figures reported), `dev` is train_few_all.json +
 * dev_few_all.json (for tuning). Each sentence's keywords, where it has some, become its categories
 * (a feed's tags).
 */
export function loadTnews(split = "test"): Labelled[] {
  const files = split === "dev" ? ["train_few_all.json", "dev_few_all.json"] : ["test_public.json"];
  return files.flatMap((f) =>
    readFileSync(join(NEWS, "zh/fewclue-tnews", f), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => {
        const r = JSON.parse(l) as { sentence: string; label: number | string; keywords?: string };
        const categories = (r.keywords ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
        return { title: r.sentence, summary: "", label: String(r.label), categories };
      }),
  );
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
