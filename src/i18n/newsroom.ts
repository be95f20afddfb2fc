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
    `${h(p.icon)} <b>${h(p.feed)}</b>: ${p.paused ? "paused, " : ""}last ok ${h(p.lastOk)}, ${p.items} items${p.paused ? "" : `, next ${h(p.next)}`} · <code>${h(p.id)}</code>${p.error ? `\n   last error: ${h(p.error)}` : ""}`,
  never: () => "never",
  pollStarted: () => "Polling all feeds now…",
  pollDone: (p: { polled: number; ok: number; notModified: number; failed: number; fresh: number; seconds: string }) =>
    `Polled ${p.polled} feeds in ${h(p.seconds)} s: ${p.ok} ok, ${p.notModified} unchanged, ${p.failed} failed; ${p.fresh} new articles.`,
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
    `<b>${h(p.title)}</b>\n${h(p.url)}\n${h(String(p.items))} items · encoding ${h(p.encoding)} · topics: ${h(p.topics || "none")}\n\n` +
    "Add this feed? Its current items are only archived at the first poll; newer articles go to subscribers.",
  addFeedYes: () => "Add feed",
  feedCancel: () => "Cancel",
  addFeedDone: (p: { feed: string; id: string }) =>
    `✅ Feed <b>${h(p.feed)}</b> added as <code>${h(p.id)}</code>. The next poll archives its current items; newer articles go to subscribers.`,
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
    `✅ Imported ${h(String(p.added))} feeds${p.skipped ? `; ${h(String(p.skipped))} skipped (already here)` : ""}. Their first poll archives their current items.`,
};

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
    "添加这个信息源吗？首次抓取时现有条目只存档，之后的新文章才推送给订阅者。",
  addFeedYes: () => "添加",
  feedCancel: () => "取消",
  addFeedDone: (p) => `✅ 信息源<b>${h(p.feed)}</b>已添加，ID 为 <code>${h(p.id)}</code>。下次抓取会存档现有条目，之后的新文章推送给订阅者。`,
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
  importDone: (p) => `✅ 已导入 ${h(String(p.added))} 个信息源${p.skipped ? `；跳过 ${h(String(p.skipped))} 个（已存在）` : ""}。首次抓取只存档现有条目。`,
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

export const newsroom = { en, "zh-CN": zhCN } as const;
