import { h } from "./escape.js";

/** Words staff see in the newsroom chat: feed alerts, /stats, /feeds, /poll, /broadcast, feed management and OPML, refusals. */
const en = {
  staffOnly: () => "Sorry, this command is for newsroom staff only.",
  feedDown: (p: { feed: string; since: string; kind: string; failures: number }) =>
    `⚠️ Feed <b>${h(p.feed)}</b> has been failing since ${h(p.since)} (${h(p.kind)}, ${p.failures} attempts). Other feeds are unaffected; I keep retrying.`,
  feedRecovered: (p: { feed: string }) => `✅ Feed <b>${h(p.feed)}</b> works again.`,
  statsTitle: () => "<b>Newsdesk statistics</b>",
  statsSubscribers: (p: { active: number; inactive: number }) => `Chats: ${p.active} active, ${p.inactive} inactive`,
  statsTopic: (p: { topic: string; count: number }) => `• ${h(p.topic)}: ${p.count}`,
  statsArticles: (p: { today: number; indexed: number }) => `Articles today: ${p.today} (archive: ${p.indexed})`,
  statsDeliveries: (p: { pending: number; sent: number; failed: number; dead: number; lag: number; rateLimited: number }) =>
    `Deliveries: ${p.pending} pending, ${p.sent} sent, ${p.failed} failed attempts, ${p.dead} dead-lettered, lag ${p.lag}s, 429s ${p.rateLimited}`,
  statsTips: (p: { byStatus: string }) => `Tips: ${h(p.byStatus || "none")}`,
  statsDeadLetter: (p: { chatId: number; error: string }) => `  ✗ ${p.chatId > 0 ? "a reader" : `chat ${h(String(p.chatId))}`}: ${h(p.error)}`,
  statsBacklog: (p: { messages: number; minutes: number; rate: number }) =>
    `Backlog: about ${h(String(p.messages))} messages, ${p.minutes < 1 ? "under a minute" : `about ${h(String(p.minutes))} min`} to send at ${h(String(p.rate))} msg/s`,
  backlogAlert: (p: { messages: number; minutes: number }) =>
    `⚠️ Deliveries are falling behind: about ${h(String(p.messages))} messages wait, about ${h(String(p.minutes))} min at Telegram's rate. New articles reach readers late.`,
  backlogRecovered: () => "✅ Deliveries have caught up.",
  feedsTitle: (p: { count: number }) => `<b>Feeds</b> (${p.count})`,
  feedsEmpty: () => "No feeds yet. Add one with /addfeed URL.",
  feedLine: (p: { icon: string; feed: string; id: string; paused: boolean; lastOk: string; items: number; next: string; error: string }) =>
    `${h(p.icon)} <b>${h(p.feed)}</b>: ${p.paused ? "paused, " : ""}last ok ${h(p.lastOk)}, ${p.items} ${p.items === 1 ? "item" : "items"}${p.paused ? "" : `, next ${h(p.next)}`} · <code>${h(p.id)}</code>${p.error ? `\n   last error: ${h(p.error)}` : ""}`,
  never: () => "never",
  pollStarted: () => "Polling all feeds now…",
  pollDone: (p: { polled: number; ok: number; notModified: number; failed: number; fresh: number; seconds: string }) =>
    `Polled ${p.polled} ${p.polled === 1 ? "feed" : "feeds"} in ${h(p.seconds)} s: ${p.ok} ok, ${p.notModified} unchanged, ${p.failed} failed; ${p.fresh} new ${p.fresh === 1 ? "article" : "articles"}.`,
  broadcastUsage: () => "Usage: /broadcast text of the breaking news",
  broadcastConfirm: (p: { count: number; preview: string }) =>
    `Send this breaking news to <b>${p.count}</b> chats now (ignoring digests and quiet hours)?\n\n${h(p.preview)}`,
  broadcastYes: () => "Send now",
  broadcastNo: () => "Cancel",
  broadcastQueued: (p: { count: number }) => `Breaking news queued for ${p.count} chats, ahead of other deliveries.`,
  broadcastCancelled: () => "Broadcast cancelled.",
  broadcastExpired: () => "This confirmation has expired; send /broadcast again.",
  addFeedUsage: () => "Usage: /addfeed URL [topic…], e.g. /addfeed https://example.com/rss energy",
  feedIdUsage: (p: { command: string }) => `Usage: /${h(p.command)} feed-id (/feeds lists the ids)`,
  addFeedUnknownTopics: (p: { unknown: string; known: string }) => `Unknown topic: ${h(p.unknown)}. Topics: ${h(p.known || "none")}.`,
  addFeedDuplicate: (p: { feed: string; id: string }) => `This feed is already here: <b>${h(p.feed)}</b> (<code>${h(p.id)}</code>).`,
  addFeedFailed: (p: { url: string; problem: string }) => `Could not add ${h(p.url)}: ${h(p.problem)}`,
  addFeedPreview: (p: { title: string; url: string; items: number; encoding: string; topics: string }) =>
    `<b>${h(p.title)}</b>\n${h(p.url)}\n${h(String(p.items))} ${p.items === 1 ? "item" : "items"} · encoding ${h(p.encoding)} · topics: ${h(p.topics || "none")}\n\n` +
    "Add this feed? Its current items are archived (not sent) when it is added; newer articles go to subscribers.",
  addFeedYes: () => "Add feed",
  feedCancel: () => "Cancel",
  addFeedDone: (p: { feed: string; id: string }) =>
    `✅ Feed <b>${h(p.feed)}</b> added as <code>${h(p.id)}</code>. Its current items are being archived now; newer articles go to subscribers.`,
  feedDraftExpired: () => "This confirmation has expired or was already used; send the command again.",
  feedButtonInvalid: () => "This button is not valid. Send the command again.",
  feedCancelled: () => "Cancelled; nothing was changed.",
  feedUnknownId: (p: { id: string }) => `There is no feed with id ${h(p.id)}. /feeds lists the ids.`,
  feedRemoved: (p: { feed: string; id: string }) =>
    `🗑 Feed <b>${h(p.feed)}</b> (<code>${h(p.id)}</code>) removed. It stays removed after a restart, even while the YAML lists it.`,
  feedPaused: (p: { feed: string; id: string }) => `⏸ Feed <b>${h(p.feed)}</b> paused: it is not polled until /resumefeed ${h(p.id)}.`,
  feedResumed: (p: { feed: string }) => `▶️ Feed <b>${h(p.feed)}</b> resumed: it is polled again from the next round.`,
  feedProblem: (p: { kind: string; status?: number | undefined }) => feedProblemEn(p.kind, p.status),
  exportCaption: (p: { count: number }) => `${h(String(p.count))} feeds as OPML 2.0, topics as categories. Send this file to the newsroom to import it.`,
  exportEmpty: () => "There are no feeds to export.",
  importTooLarge: (p: { maxKb: number }) => `This file is too large for an OPML import (at most ${h(String(p.maxKb))} KB).`,
  importDownloadFailed: () => "Could not download the file from Telegram; please send it again.",
  importUnreadable: (p: { kind: string }) =>
    `This is not an OPML file I can read: ${p.kind === "doctype" ? "documents with a DOCTYPE are refused" : p.kind === "not-opml" ? "it is XML, but not OPML" : "the XML is malformed"}.`,
  importPreview: (p: { title: string; add: number; existing: number; invalid: number }) =>
    `<b>OPML import</b>${p.title ? `: ${h(p.title)}` : ""}\n${h(String(p.add))} feeds to add, ${h(String(p.existing))} already here, ${h(String(p.invalid))} invalid.`,
  importLine: (p: { label: string; reason: string }) => `• ${h(p.label)}: ${h(importReasonEn(p.reason))}`,
  importMore: (p: { count: number }) => `… and ${h(String(p.count))} more`,
  importYes: (p: { count: number }) => `Import ${h(String(p.count))} feeds`,
  importDone: (p: { added: number; skipped: number }) =>
    `✅ Imported ${h(String(p.added))} feeds${p.skipped ? `; ${h(String(p.skipped))} skipped (already here)` : ""}. Their current items are being archived now; newer articles go to subscribers.`,

  addTopicUsage: () =>
    "Usage: /addtopic id 中文名 | English name | keywords\n" +
    "Example: /addtopic energy 新能源 | New energy | 光伏, solar, 新能源\n" +
    "The id (lower-case letters, digits, _ or -) is in buttons and links; readers see the name in their language; articles with any keyword go to the topic's subscribers.",
  editTopicUsage: (p: { id: string }) =>
    `Change topic ${h(p.id)}:\n` +
    `/edittopic ${h(p.id)} keywords +储能 -光伏: add and remove keywords\n` +
    `/edittopic ${h(p.id)} keywords 光伏, solar: the new keyword list\n` +
    `/edittopic ${h(p.id)} name 新能源 | New energy: both names\n` +
    `/edittopic ${h(p.id)} en New energy: one name (zh or en)`,
  removeTopicUsage: () => "Usage: /removetopic id (/topics in the newsroom lists the ids)",
  topicProblem: (p: TopicProblemWords) => topicProblemEn(p),
  topicUnknownId: (p: { id: string }) => `There is no topic with id ${h(p.id)}. /topics in the newsroom lists the ids.`,
  topicDuplicate: (p: { id: string; names: string }) => `There is already a topic <code>${h(p.id)}</code>: ${h(p.names)}. /edittopic ${h(p.id)} changes it.`,
  addTopicPreview: (p: TopicCardWords) =>
    `<b>New topic</b>\n${cardEn(p)}\n\nAdd it? Readers see it in /topics at once; new articles with these keywords go to its subscribers.`,
  addTopicYes: () => "Add topic",
  topicAdded: (p: { name: string; id: string }) =>
    `✅ Topic <b>${h(p.name)}</b> (<code>${h(p.id)}</code>) added. Readers find it in /topics; /edittopic ${h(p.id)} changes it.`,
  topicShow: (p: TopicCardWords & { subscribers: number; origin: string }) =>
    `${cardEn(p)}\nFollowed by ${h(String(p.subscribers))} chats · ${p.origin === "chat" ? "defined from chat" : "from the config file"}`,
  topicEdited: (p: TopicCardWords) => `✏️ Topic changed:\n${cardEn(p)}\n\nNew articles are matched with these keywords from now on.`,
  removeTopicConfirm: (p: { name: string; id: string; subscribers: number; feeds: string }) =>
    `Remove topic <b>${h(p.name)}</b> (<code>${h(p.id)}</code>)? ${h(String(p.subscribers))} chats follow it: they will be told and unsubscribed.` +
    (p.feeds ? `\nFeeds that give it to every article: ${h(p.feeds)}; they stop doing so.` : ""),
  removeTopicYes: () => "Remove topic",
  topicRemoved: (p: { name: string; id: string; told: number }) =>
    `🗑 Topic <b>${h(p.name)}</b> (<code>${h(p.id)}</code>) removed; ${h(String(p.told))} chats are being told. It stays removed after a restart, even while the YAML lists it.`,
  topicsStaffTitle: (p: { count: number }) => `<b>Topics</b> (${h(String(p.count))})`,
  topicsStaffLine: (p: { id: string; names: string; keywords: string; subscribers: number }) =>
    `• <code>${h(p.id)}</code> ${h(p.names)} · ${h(String(p.subscribers))} chats\n   ${h(p.keywords)}`,
  topicsStaffHint: () => "/addtopic adds one, /edittopic id changes one, /removetopic id removes one.",
  topicsStaffEmpty: () => "No topics yet. /addtopic adds one.",
  topicRetired: (p: { topic: string }) =>
    `The newsroom has discontinued the topic <b>${h(p.topic)}</b>, so you no longer follow it. /topics shows the other topics.`,
};

/** A topic as staff see it: id, both names, keywords (joined). */
export interface TopicCardWords {
  id: string;
  zh: string;
  en: string;
  keywords: string;
}

function cardEn(p: TopicCardWords): string {
  return `<code>${h(p.id)}</code>\n中文: ${h(p.zh)}\nEnglish: ${h(p.en)}\nKeywords: ${h(p.keywords)}`;
}

function cardZh(p: TopicCardWords): string {
  return `<code>${h(p.id)}</code>\n中文：${h(p.zh)}\nEnglish：${h(p.en)}\n关键词：${h(p.keywords)}`;
}

/** A refused topic command's reason (commands/topic-syntax.ts TopicProblem fits). */
export interface TopicProblemWords {
  kind: string;
  id?: string;
  count?: number;
  lang?: string;
  name?: string;
  keyword?: string;
  by?: string;
  keywords?: string[];
}

function topicProblemEn(p: TopicProblemWords): string {
  switch (p.kind) {
    case "bad-id":
      return `“${h(p.id ?? "")}” cannot be a topic id: use lower-case letters, digits, _ or - (at most 32), e.g. energy.`;
    case "parts":
      return `A topic needs three parts after its id, separated by |: 中文名 | English name | keywords${p.count ? ` (got ${h(String(p.count))})` : ""}.\nExample: /addtopic energy 新能源 | New energy | 光伏, solar`;
    case "missing-name":
      return `The ${p.lang === "en" ? "English" : "Chinese"} name is missing: readers of that language would see the other one. Give both: 中文名 | English name.`;
    case "name-too-long":
      return `The name “${h(p.name ?? "")}” is too long (at most 40 characters).`;
    case "no-keywords":
      return "Give at least one keyword: articles are matched to the topic by them (e.g. 光伏, solar).";
    case "keyword-too-long":
      return `The keyword “${h(p.keyword ?? "")}” is too long (at most 60 characters).`;
    case "too-many-keywords":
      return "That is too many keywords (at most 100).";
    case "name-taken":
      return `“${h(p.name ?? "")}” is already the name or id of topic ${h(p.by ?? "")}: readers could not tell which one they follow.`;
    case "mixed-signs":
      return "Either give the new keyword list (光伏, solar) or change it with + and - (+储能 -光伏), not both at once.";
    case "not-a-keyword":
      return `Not a keyword of this topic: ${h((p.keywords ?? []).join(", "))}. /edittopic ${h(p.id ?? "")} shows its keywords.`;
    default:
      return "I could not read that. /help lists the topic commands.";
  }
}

function feedProblemEn(kind: string, status: number | undefined): string {
  switch (kind) {
    case "bad-url":
      return "not an address I may fetch (a full http(s) URL of a public host, or one listed in poll.allowHosts).";
    case "timeout":
      return "the server did not answer in time.";
    case "too-large":
      return "the document is larger than poll.maxFeedBytes.";
    case "http-status":
      return `the server answered HTTP ${status ?? "error"}.`;
    case "network":
      return "the server cannot be reached.";
    case "redirect":
      return "it redirects somewhere I may not follow.";
    case "empty":
      return "the feed has no items.";
    default:
      return "this is not an RSS, Atom or JSON feed.";
  }
}

function importReasonEn(reason: string): string {
  const reasons: Record<string, string> = {
    "no-url": "no feed URL (xmlUrl)",
    "bad-url": "not an http(s) URL",
    blocked: "an internal address (see poll.allowHosts)",
    duplicate: "listed twice",
    exists: "already here",
  };
  return reasons[reason] ?? reason;
}

export type NewsroomMessages = typeof en;

const zhCN: NewsroomMessages = {
  staffOnly: () => "抱歉，这个命令仅限编辑部人员使用。",
  feedDown: (p) =>
    `⚠️ 信息源<b>${h(p.feed)}</b>自 ${h(p.since)} 起持续失败（${h(p.kind)}，已尝试 ${p.failures} 次）。其他信息源不受影响，我会继续重试。`,
  feedRecovered: (p) => `✅ 信息源<b>${h(p.feed)}</b>已恢复正常。`,
  statsTitle: () => "<b>Newsdesk 统计</b>",
  statsSubscribers: (p) => `聊天：${p.active} 个活跃，${p.inactive} 个停用`,
  statsTopic: (p) => `• ${h(p.topic)}：${p.count}`,
  statsArticles: (p) => `今日文章：${p.today} 篇（存档：${p.indexed} 篇）`,
  statsDeliveries: (p) =>
    `推送：待发 ${p.pending}，已发 ${p.sent}，失败尝试 ${p.failed}，死信 ${p.dead}，延迟 ${p.lag} 秒，429 共 ${p.rateLimited} 次`,
  statsTips: (p) => `报料：${h(p.byStatus || "无")}`,
  statsDeadLetter: (p) => `  ✗ ${p.chatId > 0 ? "一位读者" : `聊天 ${h(String(p.chatId))}`}：${h(p.error)}`,
  statsBacklog: (p) => `积压：约 ${h(String(p.messages))} 条消息，按每秒 ${h(String(p.rate))} 条${p.minutes < 1 ? "不到 1 分钟" : `约需 ${h(String(p.minutes))} 分钟`}发完`,
  backlogAlert: (p) => `⚠️ 推送积压：约 ${h(String(p.messages))} 条消息待发，按 Telegram 的速率约需 ${h(String(p.minutes))} 分钟，新文章会迟到。`,
  backlogRecovered: () => "✅ 推送积压已清空。",
  feedsTitle: (p) => `<b>信息源</b>（${p.count} 个）`,
  feedsEmpty: () => "还没有信息源。用 /addfeed 网址 添加。",
  feedLine: (p) =>
    `${h(p.icon)} <b>${h(p.feed)}</b>：${p.paused ? "已暂停，" : ""}上次成功 ${h(p.lastOk)}，${p.items} 条${p.paused ? "" : `，下次 ${h(p.next)}`} · <code>${h(p.id)}</code>${p.error ? `\n   最近错误：${h(p.error)}` : ""}`,
  never: () => "从未",
  pollStarted: () => "正在抓取全部信息源…",
  pollDone: (p) =>
    `已抓取 ${p.polled} 个信息源，用时 ${h(p.seconds)} 秒：成功 ${p.ok}，未更新 ${p.notModified}，失败 ${p.failed}；新文章 ${p.fresh} 篇。`,
  broadcastUsage: () => "用法：/broadcast 突发新闻内容",
  broadcastConfirm: (p) => `现在把这条突发新闻发给 <b>${p.count}</b> 个聊天（忽略每日摘要和免打扰）？\n\n${h(p.preview)}`,
  broadcastYes: () => "立即发送",
  broadcastNo: () => "取消",
  broadcastQueued: (p) => `突发新闻已排队发往 ${p.count} 个聊天，优先于其他推送。`,
  broadcastCancelled: () => "已取消发送。",
  broadcastExpired: () => "确认已过期，请重新发送 /broadcast。",
  addFeedUsage: () => "用法：/addfeed 网址 [栏目…]，例如 /addfeed https://example.com/rss energy",
  feedIdUsage: (p) => `用法：/${h(p.command)} 信息源ID（/feeds 列出全部 ID）`,
  addFeedUnknownTopics: (p) => `没有这个栏目：${h(p.unknown)}。现有栏目：${h(p.known || "无")}。`,
  addFeedDuplicate: (p) => `这个信息源已经在列表中：<b>${h(p.feed)}</b>（<code>${h(p.id)}</code>）。`,
  addFeedFailed: (p) => `无法添加 ${h(p.url)}：${h(p.problem)}`,
  addFeedPreview: (p) =>
    `<b>${h(p.title)}</b>\n${h(p.url)}\n${h(String(p.items))} 条 · 编码 ${h(p.encoding)} · 栏目：${h(p.topics || "无")}\n\n` +
    "添加这个信息源吗？添加时现有条目只存档、不推送，之后的新文章推送给订阅者。",
  addFeedYes: () => "添加",
  feedCancel: () => "取消",
  addFeedDone: (p) => `✅ 信息源<b>${h(p.feed)}</b>已添加，ID 为 <code>${h(p.id)}</code>。现有条目正在存档，之后的新文章推送给订阅者。`,
  feedDraftExpired: () => "确认已过期或已处理，请重新发送命令。",
  feedButtonInvalid: () => "这个按钮无效，请重新发送命令。",
  feedCancelled: () => "已取消，没有任何改动。",
  feedUnknownId: (p) => `没有 ID 为 ${h(p.id)} 的信息源。/feeds 列出全部 ID。`,
  feedRemoved: (p) => `🗑 信息源<b>${h(p.feed)}</b>（<code>${h(p.id)}</code>）已删除。重启后仍保持删除，即使 YAML 中还有它。`,
  feedPaused: (p) => `⏸ 信息源<b>${h(p.feed)}</b>已暂停：在 /resumefeed ${h(p.id)} 之前不再抓取。`,
  feedResumed: (p) => `▶️ 信息源<b>${h(p.feed)}</b>已恢复：下一轮起重新抓取。`,
  feedProblem: (p) => feedProblemZh(p.kind, p.status),
  exportCaption: (p) => `${h(String(p.count))} 个信息源的 OPML 2.0 文件，栏目写作分类。把它发到编辑部群即可导入。`,
  exportEmpty: () => "没有可导出的信息源。",
  importTooLarge: (p) => `文件太大，无法作为 OPML 导入（上限 ${h(String(p.maxKb))} KB）。`,
  importDownloadFailed: () => "无法从 Telegram 下载这个文件，请重新发送。",
  importUnreadable: (p) =>
    `无法读取这个 OPML 文件：${p.kind === "doctype" ? "不接受带 DOCTYPE 的文档" : p.kind === "not-opml" ? "这是 XML，但不是 OPML" : "XML 格式有误"}。`,
  importPreview: (p) => `<b>OPML 导入</b>${p.title ? `：${h(p.title)}` : ""}\n待添加 ${h(String(p.add))} 个，已存在 ${h(String(p.existing))} 个，无效 ${h(String(p.invalid))} 个。`,
  importLine: (p) => `• ${h(p.label)}：${h(importReasonZh(p.reason))}`,
  importMore: (p) => `……另有 ${h(String(p.count))} 条`,
  importYes: (p) => `导入 ${h(String(p.count))} 个信息源`,
  importDone: (p) => `✅ 已导入 ${h(String(p.added))} 个信息源${p.skipped ? `；跳过 ${h(String(p.skipped))} 个（已存在）` : ""}。现有条目正在存档，之后的新文章推送给订阅者。`,

  addTopicUsage: () =>
    "用法：/addtopic 代号 中文名 | 英文名 | 关键词\n" +
    "例如：/addtopic energy 新能源 | New energy | 光伏, solar, 新能源\n" +
    "代号（小写字母、数字、_ 或 -）用在按钮和链接里；读者看到自己语言的名称；含任一关键词的文章会推送给该栏目的订阅者。",
  editTopicUsage: (p) =>
    `修改栏目 ${h(p.id)}：\n` +
    `/edittopic ${h(p.id)} 关键词 +储能 -光伏：添加和删除关键词\n` +
    `/edittopic ${h(p.id)} 关键词 光伏, solar：新的关键词列表\n` +
    `/edittopic ${h(p.id)} 名称 新能源 | New energy：两种语言的名称\n` +
    `/edittopic ${h(p.id)} 英文 New energy：只改一种语言（中文或英文）`,
  removeTopicUsage: () => "用法：/removetopic 代号（在编辑部发送 /topics 查看全部代号）",
  topicProblem: (p) => topicProblemZh(p),
  topicUnknownId: (p) => `没有代号为 ${h(p.id)} 的栏目。在编辑部发送 /topics 查看全部代号。`,
  topicDuplicate: (p) => `已有代号为 <code>${h(p.id)}</code> 的栏目：${h(p.names)}。用 /edittopic ${h(p.id)} 修改它。`,
  addTopicPreview: (p) => `<b>新栏目</b>\n${cardZh(p)}\n\n添加吗？读者立即能在 /topics 中看到它；含这些关键词的新文章会推送给它的订阅者。`,
  addTopicYes: () => "添加栏目",
  topicAdded: (p) => `✅ 栏目<b>${h(p.name)}</b>（<code>${h(p.id)}</code>）已添加。读者可在 /topics 中找到它；用 /edittopic ${h(p.id)} 修改。`,
  topicShow: (p) => `${cardZh(p)}\n${h(String(p.subscribers))} 个聊天关注 · ${p.origin === "chat" ? "在聊天中设置" : "来自配置文件"}`,
  topicEdited: (p) => `✏️ 栏目已修改：\n${cardZh(p)}\n\n从现在起，新文章按这些关键词归入栏目。`,
  removeTopicConfirm: (p) =>
    `删除栏目<b>${h(p.name)}</b>（<code>${h(p.id)}</code>）吗？${h(String(p.subscribers))} 个聊天关注它：他们会收到通知并被取消关注。` +
    (p.feeds ? `\n把它作为默认栏目的信息源：${h(p.feeds)}；以后不再给文章加这个栏目。` : ""),
  removeTopicYes: () => "删除栏目",
  topicRemoved: (p) => `🗑 栏目<b>${h(p.name)}</b>（<code>${h(p.id)}</code>）已删除，正在通知 ${h(String(p.told))} 个聊天。重启后仍保持删除，即使 YAML 中还有它。`,
  topicsStaffTitle: (p) => `<b>栏目</b>（${h(String(p.count))} 个）`,
  topicsStaffLine: (p) => `• <code>${h(p.id)}</code> ${h(p.names)} · ${h(String(p.subscribers))} 个聊天\n   ${h(p.keywords)}`,
  topicsStaffHint: () => "/addtopic 添加栏目，/edittopic 代号 修改，/removetopic 代号 删除。",
  topicsStaffEmpty: () => "还没有栏目。用 /addtopic 添加。",
  topicRetired: (p) => `编辑部已停用栏目<b>${h(p.topic)}</b>，您不再关注它。发送 /topics 查看其他栏目。`,
};

function feedProblemZh(kind: string, status: number | undefined): string {
  switch (kind) {
    case "bad-url":
      return "这个地址不能抓取（需要公网主机的完整 http(s) 网址，或列在 poll.allowHosts 中的主机）。";
    case "timeout":
      return "服务器没有及时响应。";
    case "too-large":
      return "文档超过了 poll.maxFeedBytes 的上限。";
    case "http-status":
      return `服务器返回 HTTP ${status ?? "错误"}。`;
    case "network":
      return "无法连接服务器。";
    case "redirect":
      return "它重定向到了不允许访问的地址。";
    case "empty":
      return "这个信息源没有条目。";
    default:
      return "这不是 RSS、Atom 或 JSON 信息源。";
  }
}

function importReasonZh(reason: string): string {
  const reasons: Record<string, string> = {
    "no-url": "没有信息源网址（xmlUrl）",
    "bad-url": "不是 http(s) 网址",
    blocked: "内部地址（见 poll.allowHosts）",
    duplicate: "重复列出",
    exists: "已存在",
  };
  return reasons[reason] ?? reason;
}

function topicProblemZh(p: TopicProblemWords): string {
  switch (p.kind) {
    case "bad-id":
      return `“${h(p.id ?? "")}”不能作为栏目代号：请用小写字母、数字、_ 或 -（最多 32 个），例如 energy。`;
    case "parts":
      return `栏目代号之后需要用 | 分开的三部分：中文名 | 英文名 | 关键词${p.count ? `（收到 ${h(String(p.count))} 部分）` : ""}。\n例如：/addtopic energy 新能源 | New energy | 光伏, solar`;
    case "missing-name":
      return `缺少${p.lang === "en" ? "英文" : "中文"}名称：该语言的读者会看到另一种语言的名称。请两个都写：中文名 | 英文名。`;
    case "name-too-long":
      return `名称“${h(p.name ?? "")}”太长（最多 40 个字）。`;
    case "no-keywords":
      return "请至少写一个关键词：文章按关键词归入栏目（例如 光伏, solar）。";
    case "keyword-too-long":
      return `关键词“${h(p.keyword ?? "")}”太长（最多 60 个字）。`;
    case "too-many-keywords":
      return "关键词太多（最多 100 个）。";
    case "name-taken":
      return `“${h(p.name ?? "")}”已是栏目 ${h(p.by ?? "")} 的名称或代号：读者会分不清关注的是哪一个。`;
    case "mixed-signs":
      return "要么写出新的关键词列表（光伏, solar），要么用 + 和 - 修改（+储能 -光伏），不要混用。";
    case "not-a-keyword":
      return `这些不是该栏目的关键词：${h((p.keywords ?? []).join("、"))}。发送 /edittopic ${h(p.id ?? "")} 查看它的关键词。`;
    default:
      return "没能看懂这条命令。/help 列出栏目命令。";
  }
}

export const newsroom = { en, "zh-CN": zhCN } as const;
