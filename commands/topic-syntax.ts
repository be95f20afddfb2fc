import { TOPIC_ID, type TopicInput } from "../src/articles/topic-registry.js";
import { topicKey, topicNames, type TopicDef } from "../src/articles/topics.js";
import { normalizeText } from "../src/articles/tokenize.js";
import type { Lang } from "../src/i18n/index.js";

/**
 * What staff type to manage topics, made for a phone keyboard in either language:
 *   /addtopic energy 新能源 | New energy | 光伏, solar, 新能源
 *   /edittopic energy keywords +储能 -光伏      (关键词 works too; no signs: the new list)
 *   /edittopic energy name 新能源 | New energy  (名称; or zh/中文, en/英文 for one language)
 * `|` or `｜` separates the parts; `,` `，` `、` `;` `；` or a new line separate keywords.
 */

/** Why a command's text was refused (each has its own answer in both languages). */
export type TopicProblem =
  | { kind: "usage" }
  | { kind: "bad-id"; id: string }
  | { kind: "parts"; count: number }
  | { kind: "missing-name"; lang: Lang }
  | { kind: "name-too-long"; name: string }
  | { kind: "no-keywords" }
  | { kind: "keyword-too-long"; keyword: string }
  | { kind: "too-many-keywords" }
  | { kind: "name-taken"; name: string; by: string }
  | { kind: "edit-usage" }
  | { kind: "mixed-signs" }
  | { kind: "not-a-keyword"; keywords: string[] };

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: TopicProblem };

/** Longest topic name, in characters (it is a button's text and a hashtag). */
export const MAX_NAME_CHARS = 40;
export const MAX_KEYWORD_CHARS = 60;
export const MAX_KEYWORDS = 100;

const PART = /[|｜]/;
const KEYWORD_SEPARATORS = /[,，、;；\n]+/;
const fail = <T>(problem: TopicProblem): Parsed<T> => ({ ok: false, problem });

/** The id a staff member typed: NFKC and lower case (phones capitalise), then checked. */
export function parseTopicId(raw: string): Parsed<string> {
  const id = normalizeText(raw).trim();
  if (id === "") return fail({ kind: "usage" });
  return TOPIC_ID.test(id) ? { ok: true, value: id } : fail({ kind: "bad-id", id: raw });
}

/** `/addtopic <id> <中文名> | <English name> | <keywords>`. */
export function parseAddTopic(payload: string): Parsed<TopicInput> {
  const text = payload.trim();
  const [, rawId = "", rest = ""] = /^(\S+)\s*([\s\S]*)$/.exec(text) ?? [];
  const id = parseTopicId(rawId);
  if (!id.ok) return id;
  if (rest.trim() === "") return fail({ kind: "parts", count: 0 });
  const parts = rest.split(PART).map((p) => p.trim());
  if (parts.length !== 3) return fail({ kind: "parts", count: parts.length });
  const [zh = "", en = "", words = ""] = parts;
  const name = parseNames(zh, en);
  if (!name.ok) return name;
  const keywords = parseKeywords(words);
  if (!keywords.ok) return keywords;
  return { ok: true, value: { id: id.value, name: name.value, keywords: keywords.value } };
}

function parseNames(zh: string, en: string): Parsed<{ "zh-CN": string; en: string }> {
  if (zh === "") return fail({ kind: "missing-name", lang: "zh-CN" });
  if (en === "") return fail({ kind: "missing-name", lang: "en" });
  for (const name of [zh, en]) if ([...name].length > MAX_NAME_CHARS) return fail({ kind: "name-too-long", name });
  return { ok: true, value: { "zh-CN": zh, en } };
}

/** A keyword list: split, trimmed, without repeats (by the form matching compares). */
export function parseKeywords(text: string): Parsed<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(KEYWORD_SEPARATORS)) {
    const word = raw.trim();
    if (word === "") continue;
    if ([...word].length > MAX_KEYWORD_CHARS) return fail({ kind: "keyword-too-long", keyword: word });
    const key = topicKey(word);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(word);
  }
  if (out.length === 0) return fail({ kind: "no-keywords" });
  if (out.length > MAX_KEYWORDS) return fail({ kind: "too-many-keywords" });
  return { ok: true, value: out };
}

/** One change of /edittopic, before it meets the topic. */
export type TopicEdit =
  | { kind: "show" }
  | { kind: "names"; name: { "zh-CN": string; en: string } }
  | { kind: "name"; lang: Lang; name: string }
  | { kind: "keywords"; keywords: string[] }
  | { kind: "keyword-changes"; add: string[]; remove: string[] };

const FIELDS: Record<string, "keywords" | "name" | Lang> = {
  keywords: "keywords",
  keyword: "keywords",
  kw: "keywords",
  关键词: "keywords",
  关键字: "keywords",
  name: "name",
  names: "name",
  名称: "name",
  名字: "name",
  zh: "zh-CN",
  "zh-cn": "zh-CN",
  中文: "zh-CN",
  en: "en",
  english: "en",
  英文: "en",
};

/** `/edittopic <id> [keywords …|name …|zh …|en …]`: the id and the change. */
export function parseEditTopic(payload: string): Parsed<{ id: string; edit: TopicEdit }> {
  const [, rawId = "", rawField = "", value = ""] = /^(\S+)(?:\s+(\S+)\s*([\s\S]*))?$/.exec(payload.trim()) ?? [];
  const id = parseTopicId(rawId);
  if (!id.ok) return id;
  if (rawField === "") return { ok: true, value: { id: id.value, edit: { kind: "show" } } };
  // "关键词+储能" typed without a space: the field ends where the first sign begins.
  const [, fieldPart = rawField, signed = ""] = /^([^+\-＋－]+)([+\-＋－][\s\S]*)$/u.exec(rawField) ?? [];
  const field = FIELDS[normalizeText(fieldPart)];
  if (!field) return fail({ kind: "edit-usage" });
  const text = `${signed} ${value}`.trim();
  const ok = (edit: TopicEdit): Parsed<{ id: string; edit: TopicEdit }> => ({ ok: true, value: { id: id.value, edit } });
  if (field === "keywords") {
    const changes = parseKeywordChanges(text);
    return changes.ok ? ok(changes.value) : changes;
  }
  if (field === "name") {
    const parts = text.split(PART).map((p) => p.trim());
    if (parts.length !== 2) return text === "" ? fail({ kind: "missing-name", lang: "zh-CN" }) : fail({ kind: "edit-usage" });
    const names = parseNames(parts[0] ?? "", parts[1] ?? "");
    return names.ok ? ok({ kind: "names", name: names.value }) : names;
  }
  if (text === "") return fail({ kind: "missing-name", lang: field });
  if ([...text].length > MAX_NAME_CHARS) return fail({ kind: "name-too-long", name: text });
  return ok({ kind: "name", lang: field, name: text });
}

const SIGN = /(?:^|[\s,，、;；]+)([+\-＋－])/u;

/** `+储能 -光伏` (changes) or `储能, solar` (the new list); signed and unsigned words do not mix. */
function parseKeywordChanges(text: string): Parsed<TopicEdit> {
  if (text === "") return fail({ kind: "no-keywords" });
  if (!/^[+\-＋－]/.test(text)) {
    if (SIGN.test(text)) return fail({ kind: "mixed-signs" });
    const list = parseKeywords(text);
    return list.ok ? { ok: true, value: { kind: "keywords", keywords: list.value } } : list;
  }
  const add: string[] = [];
  const remove: string[] = [];
  // Split before each sign that starts a word: "+electric car, -solar" → [+, "electric car"], [-, "solar"]; "e-bike" stays whole.
  const pieces = text.split(new RegExp(SIGN.source, "gu")).filter((p) => p !== "");
  for (let i = 0; i < pieces.length; i += 2) {
    const sign = pieces[i] ?? "";
    const word = (pieces[i + 1] ?? "").replace(/[,，、;；\s]+$/u, "").trim();
    if (!/^[+\-＋－]$/.test(sign)) return fail({ kind: "mixed-signs" });
    if (word === "") continue;
    if ([...word].length > MAX_KEYWORD_CHARS) return fail({ kind: "keyword-too-long", keyword: word });
    (sign === "+" || sign === "＋" ? add : remove).push(word);
  }
  if (add.length === 0 && remove.length === 0) return fail({ kind: "no-keywords" });
  return { ok: true, value: { kind: "keyword-changes", add, remove } };
}

/** The names and keywords a topic has after an edit, or why the edit cannot apply to it. */
export function applyTopicEdit(topic: TopicDef, edit: Exclude<TopicEdit, { kind: "show" }>): Parsed<{ name: { "zh-CN": string; en: string }; keywords: string[] }> {
  const current = typeof topic.name === "string" ? { "zh-CN": topic.name, en: topic.name } : { "zh-CN": topic.name["zh-CN"], en: topic.name.en };
  switch (edit.kind) {
    case "names":
      return { ok: true, value: { name: edit.name, keywords: [...topic.keywords] } };
    case "name":
      return { ok: true, value: { name: { ...current, [edit.lang]: edit.name }, keywords: [...topic.keywords] } };
    case "keywords":
      return { ok: true, value: { name: current, keywords: edit.keywords } };
    case "keyword-changes": {
      const key = (k: string) => topicKey(k);
      const have = new Set(topic.keywords.map(key));
      const missing = edit.remove.filter((k) => !have.has(key(k)));
      if (missing.length > 0) return fail({ kind: "not-a-keyword", keywords: missing });
      const removed = new Set(edit.remove.map(key));
      const kept = topic.keywords.filter((k) => !removed.has(key(k)));
      const list = parseKeywords([...kept, ...edit.add].join("\n"));
      return list.ok ? { ok: true, value: { name: current, keywords: list.value } } : list;
    }
  }
}

/** A name or id of another topic that one of these names (or the id) would shadow: readers type names to subscribe. */
export function nameClash(id: string, names: readonly string[], topics: readonly TopicDef[]): Parsed<undefined> {
  for (const other of topics) {
    if (other.id === id) continue;
    const taken = new Set([other.id, ...topicNames(other)].map(topicKey));
    for (const name of [id, ...names]) if (taken.has(topicKey(name))) return fail({ kind: "name-taken", name, by: other.id });
  }
  return { ok: true, value: undefined };
}
