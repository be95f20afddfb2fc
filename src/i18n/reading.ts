import { h } from "./escape.js";

/** Words of the reading features: topics, subscriptions, queries, digest and quiet hours, article labels. */
const en = {
  readMore: () => "Read more",
  related: () => "Related",
  /** Plain text (escaped where it is used). */
  bundleHeader: (p: { count: number }) => `${p.count} new article${p.count === 1 ? "" : "s"}`,
  articleGone: () => "This article is no longer in the archive. /latest shows the newest ones.",
  topicsHeader: (p: { count: number }): string =>
    p.count === 0 ? "No topics are configured yet." : "<b>Topics</b>: tap to follow or unfollow.",
  topicButton: (p: { name: string; on: boolean }) => `${p.on ? "✅" : "➕"} ${p.name}`,
  subscribed: (p: { topic: string }) => `Following <b>${h(p.topic)}</b>. New articles will arrive here.`,
  alreadySubscribed: (p: { topic: string }) => `Already following <b>${h(p.topic)}</b>.`,
  /** Forum groups: a subscription chosen (or moved) in a thread, or in the General topic. */
  subscribedThread: (p: { topic: string }) => `Following <b>${h(p.topic)}</b>. New articles will arrive in this thread.`,
  subscribedGeneral: (p: { topic: string }) => `Following <b>${h(p.topic)}</b>. New articles will arrive in the General topic.`,
  /** Forum groups, under /topics: where each subscription goes. */
  routesHeader: () => "<b>Where articles go</b> (an admin sends /subscribe topic inside a thread to move one there):",
  routeThread: (p: { topic: string; thread: string; link?: string }) =>
    `• ${h(p.topic)} → ${p.link ? `<a href="${h(p.link)}">${h(p.thread)}</a>` : h(p.thread)}`,
  routeGeneral: (p: { topic: string }) => `• ${h(p.topic)} → General`,
  /** A thread's name when the bot never saw it. */
  threadNumber: (p: { n: number }) => `thread ${p.n}`,
  threadGone: (p: { topics: string[]; commands: string[] }) =>
    `The thread that received <b>${p.topics.map(h).join(", ")}</b> is closed or was deleted, so these articles now arrive here in General. ` +
    `To send them to a thread again, an admin sends ${p.commands.map(h).join(", ")} inside that thread.`,
  unsubscribed: (p: { topic: string }) => `Stopped following <b>${h(p.topic)}</b>.`,
  unsubscribedAll: () => "Stopped following all topics.",
  notSubscribed: (p: { topic: string }) => `You were not following <b>${h(p.topic)}</b>.`,
  unknownTopic: (p: { topic: string }) => `There is no topic “${h(p.topic)}”. /topics lists them all.`,
  unknownTopicKeyword: (p: { topic: string; names: string[] }) =>
    `There is no topic “${h(p.topic)}”, but ${p.names.length === 1 ? "this topic follows it" : "these topics follow it"}: ${p.names.map((n) => `<b>${h(n)}</b>`).join(", ")}. Tap to follow.`,
  subscribeUsage: () => "Usage: /subscribe topic (a name or id from /topics)",
  unsubscribeUsage: () => "Usage: /unsubscribe topic, or /unsubscribe all",
  groupAdminsOnly: () => "In groups, only the group's admins can change subscriptions and settings.",
  toggledOn: (p: { topic: string }) => `Following ${p.topic}`,
  toggledOff: (p: { topic: string }) => `Stopped following ${p.topic}`,
  latestHeader: () => "<b>Latest articles</b>",
  latestEmpty: () => "No articles yet. Try again later.",
  searchUsage: () => "Usage: /search words, e.g. /search new energy",
  searchHeader: (p: { query: string; total: number }) =>
    `<b>${h(p.query)}</b>: ${p.total} article${p.total === 1 ? "" : "s"}`,
  topicResultsHeader: (p: { topic: string; total: number }) => `<b>${h(p.topic)}</b>: latest of ${p.total}`,
  searchEmpty: (p: { query: string }) => `Nothing found for “${h(p.query)}”. Try other words, or browse /topics.`,
  moreButton: () => "More ›",
  queryExpired: () => "This result list has expired; please search again.",
  digestSet: (p: { time: string; tz: string }) =>
    `Daily digest at ${h(p.time)} (${h(p.tz)}). Instant messages are off for this chat.`,
  digestOff: () => "Daily digest off: new articles arrive as they are published.",
  digestUsage: () => "Usage: /digest HH:MM (e.g. /digest 08:00) or /digest off",
  digestHeader: (p: { date: string }) => `<b>Your daily digest</b> · ${h(p.date)}`,
  quietSet: (p: { from: string; to: string; tz: string }) =>
    `Quiet hours ${h(p.from)}–${h(p.to)} (${h(p.tz)}): messages are held and delivered afterwards.`,
  quietOff: () => "Quiet hours off.",
  quietUsage: () => "Usage: /quiet 22-07 (hours, 0-23) or /quiet off",
  inlineEmpty: () => "No matching articles",
};

export type ReadingMessages = typeof en;

const zhCN: ReadingMessages = {
  readMore: () => "阅读全文",
  bundleHeader: (p: { count: number }) => `${p.count} 条新文章`,
  articleGone: () => "这篇文章已不在存档中。/latest 可查看最新文章。",
  related: () => "相关阅读",
  topicsHeader: (p) => (p.count === 0 ? "目前还没有设置栏目。" : "<b>栏目</b>：点击即可关注或取消关注。"),
  topicButton: (p) => `${p.on ? "✅" : "➕"} ${p.name}`,
  subscribed: (p) => `已关注<b>${h(p.topic)}</b>，新文章会推送到这里。`,
  alreadySubscribed: (p) => `您已经关注了<b>${h(p.topic)}</b>。`,
  subscribedThread: (p) => `已关注<b>${h(p.topic)}</b>，新文章会推送到这个话题。`,
  subscribedGeneral: (p) => `已关注<b>${h(p.topic)}</b>，新文章会推送到“General”话题。`,
  routesHeader: () => "<b>文章推送到哪里</b>（管理员在某个话题中发送 /subscribe 栏目，即可把该栏目改到那个话题）：",
  routeThread: (p) => `• ${h(p.topic)} → ${p.link ? `<a href="${h(p.link)}">${h(p.thread)}</a>` : h(p.thread)}`,
  routeGeneral: (p) => `• ${h(p.topic)} → General`,
  threadNumber: (p) => `话题 ${p.n}`,
  threadGone: (p) =>
    `接收<b>${p.topics.map(h).join("、")}</b>的话题已关闭或被删除，这些文章今后推送到这里（General）。` +
    `如需改回某个话题，请管理员在该话题中发送 ${p.commands.map(h).join("、")}。`,
  unsubscribed: (p) => `已取消关注<b>${h(p.topic)}</b>。`,
  unsubscribedAll: () => "已取消关注全部栏目。",
  notSubscribed: (p) => `您没有关注<b>${h(p.topic)}</b>。`,
  unknownTopic: (p) => `没有“${h(p.topic)}”这个栏目。发送 /topics 查看全部栏目。`,
  unknownTopicKeyword: (p) => `没有“${h(p.topic)}”这个栏目，不过这些栏目会推送相关文章：${p.names.map((n) => `<b>${h(n)}</b>`).join("、")}。点按即可关注。`,
  subscribeUsage: () => "用法：/subscribe 栏目（/topics 中的名称或代号）",
  unsubscribeUsage: () => "用法：/unsubscribe 栏目，或 /unsubscribe all",
  groupAdminsOnly: () => "在群组中，只有群管理员可以更改订阅和设置。",
  toggledOn: (p) => `已关注 ${p.topic}`,
  toggledOff: (p) => `已取消关注 ${p.topic}`,
  latestHeader: () => "<b>最新文章</b>",
  latestEmpty: () => "还没有文章，请稍后再试。",
  searchUsage: () => "用法：/search 关键词，例如 /search 新能源",
  searchHeader: (p) => `<b>${h(p.query)}</b>：共 ${p.total} 篇`,
  topicResultsHeader: (p) => `<b>${h(p.topic)}</b>：最新文章（共 ${p.total} 篇）`,
  searchEmpty: (p) => `没有找到与“${h(p.query)}”相关的文章。换个关键词，或发送 /topics 浏览栏目。`,
  moreButton: () => "更多 ›",
  queryExpired: () => "这组结果已过期，请重新搜索。",
  digestSet: (p) => `每日摘要时间：${h(p.time)}（${h(p.tz)}）。本聊天不再即时推送。`,
  digestOff: () => "已关闭每日摘要，新文章将即时推送。",
  digestUsage: () => "用法：/digest HH:MM（例如 /digest 08:00）或 /digest off",
  digestHeader: (p) => `<b>今日摘要</b> · ${h(p.date)}`,
  quietSet: (p) => `免打扰时段 ${h(p.from)}–${h(p.to)}（${h(p.tz)}）：期间的消息会在结束后送达。`,
  quietOff: () => "已关闭免打扰时段。",
  quietUsage: () => "用法：/quiet 22-07（小时，0-23）或 /quiet off",
  inlineEmpty: () => "没有匹配的文章",
};

export const reading = { en, "zh-CN": zhCN } as const;
