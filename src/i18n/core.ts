import { h } from "./escape.js";

/** Words of the bot core and reader commands. Values are Telegram HTML; every parameter is escaped here. */
const en = {
  welcome: (p: { name: string; outlet: string }) =>
    `Hello, ${h(p.name)}! This is the news bot of <b>${h(p.outlet)}</b>: new articles on the topics you follow, and a line to our newsroom.\n\n` +
    `• /topics: choose topics\n• /latest: newest articles\n• /search words: find articles\n• /tip: send us a news tip\n• /help: all commands`,
  help: () =>
    [
      "<b>Reading</b>",
      "/topics: topics, with buttons to follow them",
      "/subscribe topic, /unsubscribe topic|all",
      "/latest [n]: newest articles",
      "/topic words, /search words: find articles (plain text works too)",
      "/digest HH:MM|off: one daily digest instead of instant messages",
      "/quiet HH-HH|off: no messages in those hours (held, sent after)",
      "",
      "<b>Tips</b>",
      "/tip or /tips: send a news tip to our newsroom; /done sends it, /cancel drops it",
      "",
      "<b>You</b>",
      "/lang zh|en: language of the bot",
      "/privacy: what we keep and for how long; /forget: delete your tips, or everything about you (it asks first)",
      "",
      "In any chat: type @{bot} and words to share an article.",
    ].join("\n"),
  langSet: () => "Language set: English.",
  langUsage: () => "Usage: /lang zh or /lang en",
  langGroupAdminsOnly: () => "In groups, only the group's admins can change the bot's language.",
  apology: () => "Sorry, something went wrong on our side. Please try again in a moment.",
  /** Plain text (also a callback answer): the store was busy or unreachable, nothing was lost or done. */
  storeUnavailable: () => "Sorry, Newsdesk is temporarily unavailable. Please try again in a minute.",
  unknownCommand: () => "I don't know that command. /help lists what I can do.",
  unknownStartPayload: () => "That link is not valid (any more). /help lists what I can do.",
  notInGroup: () => "Please use this command in a private chat with me.",
  mediaHint: () => "To send this to our newsroom as a tip, start with /tip. To find articles, send me words.",
  /** Plain text (a callback answer, at most 200 characters): a button nothing handles any more. */
  unknownButton: () => "This button no longer works. Send /help to see what I can do.",
  slowDown: () => "That is a lot of requests at once. Please wait a minute; I will answer again then.",
  nothingToCancel: () => "There is nothing to cancel: no tip is open. /tip starts one.",
  /** /id in a private chat: the reader's user id (the chat has the same id). */
  idPrivate: (p: { userId: number }) =>
    `Your user id: <code>${h(p.userId)}</code> (this private chat has the same id).\n` +
    `For the config: an id in <code>newsroom.admins</code> makes that person staff in any chat with the bot.`,
  idGroup: (p: { chatId: number; userId: number }) =>
    `This chat's id: <code>${h(p.chatId)}</code>\nYour user id: <code>${h(p.userId)}</code>\n` +
    `For the config: <code>newsroom.chatId</code> takes a chat id, <code>newsroom.admins</code> user ids.`,
  idGroupAnonymous: (p: { chatId: number }) =>
    `This chat's id: <code>${h(p.chatId)}</code>\nYou are posting as a chat, so Telegram shows me no user id: send /id in a private chat with me to see yours.`,
  idChannel: (p: { chatId: number }) =>
    `This channel's id: <code>${h(p.chatId)}</code> (for <code>newsroom.chatId</code> or <code>channel.chatId</code> in the config).`,
  addedToGroup: (p: { bot: string }) =>
    `Hello! A group admin can subscribe this group to topics with /topics@${h(p.bot)} or /subscribe@${h(p.bot)} topic; new articles then arrive here. /help@${h(p.bot)} lists everything.`,
};

export type CoreMessages = typeof en;

const zhCN: CoreMessages = {
  welcome: (p) =>
    `${h(p.name)}，您好！这里是<b>${h(p.outlet)}</b>的新闻机器人：按您关注的栏目推送新文章，也是通往编辑部的报料热线。\n\n` +
    `• /topics：选择栏目\n• /latest：最新文章\n• /search 关键词：搜索文章\n• /tip：向我们报料\n• /help：全部命令`,
  help: () =>
    [
      "<b>阅读</b>",
      "/topics：栏目列表，可一键关注",
      "/subscribe 栏目，/unsubscribe 栏目|all",
      "/latest [n]：最新文章",
      "/topic 关键词，/search 关键词：搜索文章（直接发文字也可以）",
      "/digest HH:MM|off：每天一条摘要，代替即时推送",
      "/quiet HH-HH|off：免打扰时段（期间的消息稍后送达）",
      "",
      "<b>报料</b>",
      "/tip 或 /tips：向编辑部报料；/done 发送，/cancel 放弃",
      "",
      "<b>个人</b>",
      "/lang zh|en：机器人使用的语言",
      "/privacy：我们保存哪些信息、保存多久；/forget：删除您的报料，或与您有关的全部信息（会先确认）",
      "",
      "在任何聊天中输入 @{bot} 加关键词，即可分享文章。",
    ].join("\n"),
  langSet: () => "语言已设为：中文。",
  langUsage: () => "用法：/lang zh 或 /lang en",
  langGroupAdminsOnly: () => "在群组中，只有群管理员可以更改机器人的语言。",
  apology: () => "抱歉，我们这边出了点问题，请稍后再试。",
  storeUnavailable: () => "抱歉，服务暂时不可用，请过一分钟再试。",
  unknownCommand: () => "我不认识这个命令。发送 /help 查看可用命令。",
  unknownStartPayload: () => "这个链接无效或已过期。发送 /help 查看可用命令。",
  notInGroup: () => "请在与我的私聊中使用这个命令。",
  mediaHint: () => "如需把它作为报料发给编辑部，请先发送 /tip。想找文章，直接发关键词给我。",
  unknownButton: () => "这个按钮已失效。发送 /help 查看可用的命令。",
  slowDown: () => "请求太多了，请稍等一分钟再试，届时我会继续回答。",
  nothingToCancel: () => "没有可取消的内容：当前没有未发送的报料。发送 /tip 开始报料。",
  idPrivate: (p) =>
    `您的用户 ID：<code>${h(p.userId)}</code>（与本私聊的 ID 相同）。\n` +
    `配置提示：填入 <code>newsroom.admins</code> 的用户可在与机器人的任何聊天中使用编辑部命令。`,
  idGroup: (p) =>
    `本聊天的 ID：<code>${h(p.chatId)}</code>\n您的用户 ID：<code>${h(p.userId)}</code>\n` +
    `配置提示：<code>newsroom.chatId</code> 填聊天 ID，<code>newsroom.admins</code> 填用户 ID。`,
  idGroupAnonymous: (p) =>
    `本聊天的 ID：<code>${h(p.chatId)}</code>\n您正以聊天身份发言，Telegram 不向我显示您的用户 ID：在与我的私聊中发送 /id 即可查看。`,
  idChannel: (p) => `本频道的 ID：<code>${h(p.chatId)}</code>（可填入配置中的 <code>newsroom.chatId</code> 或 <code>channel.chatId</code>）。`,
  addedToGroup: (p) =>
    `大家好！群管理员可以用 /topics@${h(p.bot)} 或 /subscribe@${h(p.bot)} 栏目 为本群订阅栏目，新文章会推送到这里。/help@${h(p.bot)} 查看全部命令。`,
};

export const core = { en, "zh-CN": zhCN } as const;
