import { h } from "./escape.js";

/** Words staff see in the newsroom chat: feed alerts, /stats, /feeds, /poll, /broadcast, refusals. */
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
  feedsEmpty: () => "No feeds are configured.",
  feedLine: (p: { icon: string; feed: string; lastOk: string; items: number; next: string; error: string }) =>
    `${h(p.icon)} <b>${h(p.feed)}</b>: last ok ${h(p.lastOk)}, ${p.items} items, next ${h(p.next)}${p.error ? `\n   last error: ${h(p.error)}` : ""}`,
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
};

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
  feedsEmpty: () => "还没有配置信息源。",
  feedLine: (p) =>
    `${h(p.icon)} <b>${h(p.feed)}</b>：上次成功 ${h(p.lastOk)}，${p.items} 条，下次 ${h(p.next)}${p.error ? `\n   最近错误：${h(p.error)}` : ""}`,
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
};

export const newsroom = { en, "zh-CN": zhCN } as const;
