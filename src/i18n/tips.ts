import { h } from "./escape.js";

type Status = "new" | "checking" | "published" | "declined";
type Kind = "text" | "photo" | "video" | "video_note" | "voice" | "audio" | "document" | "animation" | "location" | "contact";

const enStatus: Record<Status, string> = { new: "received", checking: "being checked", published: "published", declined: "not taken up" };
const enKind: Record<Kind, string> = {
  text: "text",
  photo: "photo",
  video: "video",
  video_note: "video note",
  voice: "voice",
  audio: "audio",
  document: "document",
  animation: "animation",
  location: "location",
  contact: "contact",
};

const contactLines = (p: { hotline?: string | undefined; web?: string | undefined }, phone: string, web: string): string =>
  [p.hotline ? `${phone}${h(p.hotline)}` : "", p.web ? `${web}${h(p.web)}` : ""].filter(Boolean).join("\n");

/** Words of the tip line. Values are Telegram HTML; every parameter is escaped here. */
const en = {
  tipIntro: (p: { hotline?: string | undefined; web?: string | undefined; maxAttachments: number }) =>
    [
      "<b>Send us a tip</b>",
      `Send text, photos, videos, voice messages, documents, your location or a contact (up to ${p.maxAttachments} messages). Then /done sends it to our newsroom; /cancel drops it.`,
      "By default you stay <b>anonymous</b>: the newsroom does not see your name or @username. The buttons below change that.",
      "Please note: Telegram chats with bots are <b>not end-to-end encrypted</b>. For very sensitive matters, call us or meet us.",
      contactLines(p, "☎ Hotline: ", "🌐 Web: "),
    ]
      .filter(Boolean)
      .join("\n\n"),
  tipButtonAnonymous: (p: { selected: boolean }) => `${p.selected ? "✅ " : ""}Stay anonymous`,
  tipButtonNamed: (p: { selected: boolean }) => `${p.selected ? "✅ " : ""}Show my name`,
  tipChoseAnonymous: () => "You stay anonymous.",
  tipChoseNamed: () => "The newsroom will see your name and @username.",
  tipReceived: () => "Got it. Send more, or /done to send the tip, /cancel to drop it.",
  tipDraftOpen: (p: { count: number }) =>
    `You already have a tip open with ${p.count} message(s). Keep sending, or /done to send it, /cancel to drop it.`,
  tipEmpty: () => "Your tip is still empty. Send text, photos or anything else first, then /done.",
  tipTooMany: (p: { max: number }) => `A tip can hold at most ${p.max} messages; this one was not added. Send it with /done.`,
  tipTooLong: (p: { max: number }) =>
    `A tip can hold at most ${p.max} characters of text; this message was not added. Shorten it, or send it with /done and start another.`,
  tipUnsupported: () => "This kind of message cannot be part of a tip. Text, photos, videos, voice, documents, locations and contacts work.",
  tipRateLimited: (p: { max: number }) => `You have sent ${p.max} tips in the last hour. Please wait a little; your open tip is kept.`,
  tipThanks: (p: { ref: string; anonymous: boolean }) =>
    `Thank you! Your tip is saved under reference <b>${h(p.ref)}</b> and is on its way to our newsroom` +
    `${p.anonymous ? " (anonymously)" : ""}. The newsroom may answer here; reply to their message, or send /tip ${h(p.ref)} and your words.`,
  tipCancelled: () => "Your tip was dropped; nothing was sent.",
  tipNoDraft: () => "You have no tip open. /tip starts one.",
  tipBlocked: () => "The newsroom no longer accepts tips from this account.",
  tipAnswerSent: (p: { ref: string }) => `Sent to the newsroom under ${h(p.ref)}.`,
  tipAnswerUsage: (p: { ref: string }) => `Write your answer after the reference: /tip ${h(p.ref)} your words`,
  tipUnknownRef: () => "I don't know that tip reference (tips are deleted after a while, or on /forget).",
  tipFromNewsroom: (p: { ref: string }) => `📨 <b>From the newsroom</b>, about your tip ${h(p.ref)}:`,
  tipStatusChanged: (p: { ref: string; status: Status }) => `Your tip ${h(p.ref)} is now: <b>${enStatus[p.status]}</b>.`,
  tipPrivacy: (p: { retentionDays: number; draftHours: number }) =>
    [
      "<b>What we keep</b>",
      `• Tips you send: the reference, your chat id, message ids, the time, your anonymity choice, your name and @username only if you chose to show them. Deleted after ${p.retentionDays} days.`,
      `• Links between the newsroom's messages and your tip, so they can answer you: deleted after ${p.retentionDays} days.`,
      `• An unfinished tip: deleted after ${p.draftHours} hours.`,
      "• The times of your tips in the last hour (rate limit), and whether you were blocked from the tip line.",
      "Your messages themselves stay in this Telegram chat; copies go to the newsroom's chat, where they stay.",
      "/forget deletes your tips and links now. Copies already in the newsroom's chat stay there.",
    ].join("\n"),
  tipForgotten: (p: { count: number }) =>
    `Deleted ${p.count} tip(s) and their links from our store. Copies already in the newsroom's chat stay there.`,
  // --- newsroom side (in the outlet's language)
  tipCard: (p: { ref: string; time: string; name?: string | undefined; username?: string | undefined; kinds: Array<[Kind, number]> }) =>
    [
      `📥 <b>Tip ${h(p.ref)}</b> · ${h(p.time)}`,
      p.name !== undefined ? `From: ${h(p.name)}${p.username ? ` (@${h(p.username)})` : ""}` : "From: anonymous reader",
      `Contains: ${p.kinds.map(([k, n]) => `${enKind[k]} ×${n}`).join(", ")}`,
      "<i>Reply to this card or to any copy below to answer the reader; your name is not shown.</i>",
    ].join("\n"),
  tipAnswerText: (p: { ref: string; text: string }) => `↩️ <b>Reader's answer on ${h(p.ref)}</b>\n\n${h(p.text)}`,
  tipRelayed: (p: { ref: string }) => `Sent to the reader of ${h(p.ref)} (without your name).`,
  tipRelayFailed: (p: { ref: string }) => `Could not reach the reader of ${h(p.ref)} right now; please try again later.`,
  tipReaderGone: (p: { ref: string }) => `The reader of ${h(p.ref)} has blocked the bot or deleted the chat.`,
  tipNoLongerKept: () => "This tip is no longer kept (expired or deleted by the reader); the reply was not sent.",
  tipStatusSet: (p: { ref: string; status: Status }) => `${h(p.ref)}: status set to ${p.status}; the reader was told.`,
  tipStatusUsage: () => "Usage: /status T-XXXXX new|checking|published|declined",
  tipRefNotFound: (p: { ref: string }) => `No tip ${h(p.ref)} (wrong reference, expired or deleted).`,
  tipBlockUsage: () => "Usage: /block T-XXXXX or /unblock T-XXXXX",
  tipBlockDone: (p: { ref: string }) => `The reader of ${h(p.ref)} is blocked from the tip line.`,
  tipUnblockDone: (p: { ref: string }) => `The reader of ${h(p.ref)} may send tips again.`,
  tipStaffOnly: () => "Sorry, only newsroom staff can do that.",
};

export type TipMessages = typeof en;

const zhStatus: Record<Status, string> = { new: "已收到", checking: "核实中", published: "已发表", declined: "未采用" };
const zhKind: Record<Kind, string> = {
  text: "文字",
  photo: "图片",
  video: "视频",
  video_note: "视频消息",
  voice: "语音",
  audio: "音频",
  document: "文件",
  animation: "动图",
  location: "位置",
  contact: "联系人",
};

const zhCN: TipMessages = {
  tipIntro: (p) =>
    [
      "<b>向编辑部报料</b>",
      `请发送文字、图片、视频、语音、文件、位置或联系人（最多 ${p.maxAttachments} 条）。发送 /done 提交给编辑部，/cancel 放弃。`,
      "默认<b>匿名</b>：编辑部看不到您的名字和 @用户名。可用下方按钮更改。",
      "请注意：与机器人的 Telegram 聊天<b>不是端到端加密</b>的。非常敏感的线索，请致电或当面联系我们。",
      contactLines(p, "☎ 新闻热线：", "🌐 网上报料："),
    ]
      .filter(Boolean)
      .join("\n\n"),
  tipButtonAnonymous: (p) => `${p.selected ? "✅ " : ""}保持匿名`,
  tipButtonNamed: (p) => `${p.selected ? "✅ " : ""}显示我的名字`,
  tipChoseAnonymous: () => "您将保持匿名。",
  tipChoseNamed: () => "编辑部将看到您的名字和 @用户名。",
  tipReceived: () => "已收到。可以继续发送，或发送 /done 提交，/cancel 放弃。",
  tipDraftOpen: (p) => `您已有一条未提交的报料（${p.count} 条消息）。可以继续发送，或发送 /done 提交，/cancel 放弃。`,
  tipEmpty: () => "报料还是空的。请先发送文字、图片等内容，再发送 /done。",
  tipTooMany: (p) => `一条报料最多 ${p.max} 条消息，这条未加入。请发送 /done 提交。`,
  tipTooLong: (p) => `一条报料的文字最多 ${p.max} 字，这条未加入。请精简，或先发送 /done 提交再另起一条。`,
  tipUnsupported: () => "这类消息不能作为报料内容。可以发送文字、图片、视频、语音、文件、位置和联系人。",
  tipRateLimited: (p) => `您在过去一小时内已报料 ${p.max} 次，请稍后再试；未提交的内容会保留。`,
  tipThanks: (p) =>
    `谢谢！您的报料已保存，编号 <b>${h(p.ref)}</b>，正在送往编辑部${p.anonymous ? "（匿名）" : ""}。` +
    `编辑部可能在这里回复您；回复他们的消息，或发送 /tip ${h(p.ref)} 加上您的话即可。`,
  tipCancelled: () => "报料已放弃，没有发送任何内容。",
  tipNoDraft: () => "您没有未提交的报料。发送 /tip 开始。",
  tipBlocked: () => "编辑部已不再接受此账号的报料。",
  tipAnswerSent: (p) => `已发送给编辑部（编号 ${h(p.ref)}）。`,
  tipAnswerUsage: (p) => `请在编号后写上您的回复：/tip ${h(p.ref)} 您的话`,
  tipUnknownRef: () => "找不到这个报料编号（报料会在一段时间后或 /forget 后删除）。",
  tipFromNewsroom: (p) => `📨 <b>编辑部回复</b>（报料 ${h(p.ref)}）：`,
  tipStatusChanged: (p) => `您的报料 ${h(p.ref)} 状态更新为：<b>${zhStatus[p.status]}</b>。`,
  tipPrivacy: (p) =>
    [
      "<b>我们保存哪些信息</b>",
      `• 您的报料：编号、聊天 id、消息 id、时间、是否匿名；只有您选择显示时才保存名字和 @用户名。${p.retentionDays} 天后删除。`,
      `• 编辑部消息与您报料之间的对应关系（用于回复您）：${p.retentionDays} 天后删除。`,
      `• 未提交的报料：${p.draftHours} 小时后删除。`,
      "• 过去一小时内的报料时间（用于频率限制），以及您是否被禁止报料。",
      "您的消息本身保留在本 Telegram 聊天中；副本发送到编辑部的聊天，并保留在那里。",
      "/forget 立即删除您的报料和对应关系。已在编辑部聊天中的副本不会被删除。",
    ].join("\n"),
  tipForgotten: (p) => `已从我们的存储中删除 ${p.count} 条报料及其对应关系。已在编辑部聊天中的副本不会被删除。`,
  tipCard: (p) =>
    [
      `📥 <b>报料 ${h(p.ref)}</b> · ${h(p.time)}`,
      p.name !== undefined ? `来自：${h(p.name)}${p.username ? `（@${h(p.username)}）` : ""}` : "来自：匿名读者",
      `内容：${p.kinds.map(([k, n]) => `${zhKind[k]} ×${n}`).join("，")}`,
      "<i>回复本卡片或下方任一副本即可回复读者；读者看不到您的名字。</i>",
    ].join("\n"),
  tipAnswerText: (p) => `↩️ <b>读者对 ${h(p.ref)} 的回复</b>\n\n${h(p.text)}`,
  tipRelayed: (p) => `已发送给 ${h(p.ref)} 的读者（不显示您的名字）。`,
  tipRelayFailed: (p) => `暂时无法联系 ${h(p.ref)} 的读者，请稍后再试。`,
  tipReaderGone: (p) => `${h(p.ref)} 的读者已屏蔽机器人或删除了聊天。`,
  tipNoLongerKept: () => "这条报料已不再保存（已过期或被读者删除），回复未发送。",
  tipStatusSet: (p) => `${h(p.ref)}：状态已设为 ${p.status}，已通知读者。`,
  tipStatusUsage: () => "用法：/status T-XXXXX new|checking|published|declined",
  tipRefNotFound: (p) => `没有报料 ${h(p.ref)}（编号错误、已过期或已删除）。`,
  tipBlockUsage: () => "用法：/block T-XXXXX 或 /unblock T-XXXXX",
  tipBlockDone: (p) => `${h(p.ref)} 的读者已被禁止报料。`,
  tipUnblockDone: (p) => `${h(p.ref)} 的读者可以再次报料。`,
  tipStaffOnly: () => "抱歉，只有编辑部工作人员可以这样做。",
};

export const tips = { en, "zh-CN": zhCN } as const;
