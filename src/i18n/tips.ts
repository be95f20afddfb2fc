import { h } from "./escape.js";

/** An English noun for a count: "1 message", "2 messages". */
const plural = (count: number, noun: string): string => (count === 1 ? noun : `${noun}s`);

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

/** What /forget would delete beyond the tips: the chat's subscriptions and settings (none when absent). */
export interface ForgetSummary {
  tips: number;
  draft: boolean;
  /** Topic names the chat is subscribed to, in the reader's language. */
  topics: string[];
  digestAt?: string | undefined;
  quiet?: string | undefined;
  lang: boolean;
}

/** Words staff may type in `/status` for each status, besides the English keyword (any case). */
export const statusWords: Record<Status, readonly string[]> = {
  new: ["新", "新报料", "已收到"],
  checking: ["核实中", "核实", "核查中", "核查"],
  published: ["已发表", "发表", "已发布", "发布"],
  declined: ["未采用", "不采用", "拒绝"],
};

const n = (v: number): string => h(String(v));

/** Status names on the newsroom's desk (buttons, /tips); readers see enStatus / zhStatus. */
const enDeskStatus: Record<Status, string> = { new: "New", checking: "Checking", published: "Published", declined: "Declined" };
const deskStatusIcon: Record<Status, string> = { new: "🆕", checking: "🔍", published: "✅", declined: "✖" };

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
      "A contact card you share shows its name and number; your own card would also show your Telegram account, so in an anonymous tip we ask before adding it.",
      contactLines(p, "☎ Hotline: ", "🌐 Web: "),
    ]
      .filter(Boolean)
      .join("\n\n"),
  tipButtonAnonymous: (p: { selected: boolean }) => `${p.selected ? "✅ " : ""}Stay anonymous`,
  tipButtonNamed: (p: { selected: boolean }) => `${p.selected ? "✅ " : ""}Show my name`,
  tipChoseAnonymous: () => "You stay anonymous.",
  tipChoseNamed: () => "The newsroom will see your name and @username.",
  tipReceived: () => "Got it. Send more, or /done to send the tip, /cancel to drop it.",
  tipStatus: (p: { count: number; kinds: Array<[Kind, number]> }) =>
    `✅ Your tip so far: <b>${n(p.count)}</b> ${plural(p.count, "message")} (${p.kinds.map(([k, c]) => `${enKind[k]} ×${c}`).join(", ")}). Send more, or /done to send it, /cancel to drop it.`,
  tipButtonSend: () => "📨 Send it now",
  tipButtonCancel: () => "✖ Drop it",
  tipAskQuery: (p: { text: string }) =>
    `Is “${h(p.text)}” part of your tip, or did you mean to search for it? It is not added until you choose.`,
  tipButtonAddToTip: () => "➕ Add to my tip",
  tipButtonSearchInstead: () => "🔎 Search instead",
  tipAddedToTip: () => "Added to your tip.",
  tipSearchingInstead: (p: { text: string }) => `Not added to your tip; searching for “${h(p.text)}”. Your tip stays open.`,
  tipSearchHint: (p: { text: string }) => `Not added to your tip. To search, send /search ${h(p.text)}`,
  tipQuestionGone: () => "This question is no longer open.",
  tipAskOwnContact: () =>
    "This is <b>your own contact card</b>. Your tip is anonymous: if the card goes in, the newsroom sees your name, phone number and Telegram account. Add it anyway?",
  tipButtonAddContact: () => "Add it (not anonymous)",
  tipButtonSkipContact: () => "Leave it out",
  tipContactLeftOut: () => "Your contact card was left out; your tip stays anonymous.",
  tipReminder: (p: { count: number; hoursLeft: number }) =>
    `⏰ Your tip (${n(p.count)} ${plural(p.count, "message")}) has not been sent yet. It is dropped in about ${n(p.hoursLeft)} ${plural(p.hoursLeft, "hour")} unless you send it.`,
  tipDraftExpired: (p: { count: number; draftHours: number }) =>
    `Your unfinished tip (${n(p.count)} ${plural(p.count, "message")}) was dropped: it was not sent within ${n(p.draftHours)} hours, and nothing went to the newsroom. /tip starts a new one.`,
  tipUnconfirmedLeftOut: (p: { count: number }) => `${n(p.count)} ${plural(p.count, "message")} you did not confirm ${p.count === 1 ? "was" : "were"} left out.`,
  tipBadButton: () => "This button is not valid (any more).",
  tipDraftOpen: (p: { count: number }) =>
    `You already have a tip open with ${p.count} ${plural(p.count, "message")}. Keep sending, or /done to send it, /cancel to drop it.`,
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
      `• Tips you send: the reference, your chat id, message ids, the time, your anonymity choice, your name and @username only if you chose to show them. Deleted after ${n(p.retentionDays)} days.`,
      `• Links between the newsroom's messages and your tip, so they can answer you: deleted after ${n(p.retentionDays)} days.`,
      `• An unfinished tip: dropped after ${n(p.draftHours)} hours (you are reminded once, and told when it is dropped).`,
      "• The times of your tips in the last hour (rate limit).",
      "• For news: your subscriptions, digest time, quiet hours and language; records of deliveries to you that failed (kept 30 days).",
      "• If the newsroom blocks you from the tip line: a one-way fingerprint of your chat, not your chat id. It stays after /forget.",
      "Your messages themselves stay in this Telegram chat; copies go to the newsroom's chat, where they stay.",
      "/forget asks first, then deletes either your tips only (tips, links, unfinished tip, rate limit) or everything above. Copies already in the newsroom's chat stay there.",
    ].join("\n"),
  tipForgetAsk: (p: ForgetSummary) =>
    [
      "<b>What should I delete?</b>",
      `<b>Tips only</b>: ${p.tips === 0 ? "your tips (none are stored now)" : `the ${n(p.tips)} ${plural(p.tips, "tip")} you sent`}, the links that let the newsroom answer you${p.draft ? ", your unfinished tip" : ""}, and the times of your recent tips. Your news subscriptions and settings stay.`,
      `<b>Everything</b>: all of that, and also ${[
        p.topics.length > 0 ? `your subscriptions (${p.topics.map(h).join(", ")})` : "your subscriptions (none now)",
        p.digestAt ? `your daily digest at ${h(p.digestAt)}` : "",
        p.quiet ? `your quiet hours ${h(p.quiet)}` : "",
        p.lang ? "your language choice" : "",
        "records of deliveries to you that failed",
      ]
        .filter(Boolean)
        .join(", ")}. ${p.topics.length > 0 ? "<b>You will get no more news</b> until you subscribe again." : ""}`.trim(),
      "Copies already in the newsroom's chat stay there. A block from the tip line, if any, stays (as a one-way fingerprint).",
    ].join("\n\n"),
  tipButtonForgetTips: () => "Delete tips only",
  tipButtonForgetAll: () => "Delete everything",
  tipButtonForgetNo: () => "Keep everything",
  tipForgetKept: () => "Nothing was deleted.",
  tipForgotten: (p: { count: number }) =>
    `Deleted ${n(p.count)} ${plural(p.count, "tip")}, their links and your tip records from our store. Your subscriptions and settings are unchanged. Copies already in the newsroom's chat stay there.`,
  tipForgottenAll: (p: { count: number }) =>
    `Deleted ${n(p.count)} ${plural(p.count, "tip")} and everything else we kept about you: subscriptions, digest, quiet hours, language and delivery records. You will get no more news; /start begins again. Copies already in the newsroom's chat stay there.`,
  // --- newsroom side (in the outlet's language)
  tipCard: (p: { ref: string; time: string; name?: string | undefined; username?: string | undefined; kinds: Array<[Kind, number]>; ownContact?: boolean; forum?: boolean }) =>
    [
      `📥 <b>Tip ${h(p.ref)}</b> · ${h(p.time)}`,
      p.name !== undefined ? `From: ${h(p.name)}${p.username ? ` (@${h(p.username)})` : ""}` : "From: anonymous reader",
      `Contains: ${p.kinds.map(([k, c]) => `${enKind[k]} ×${c}`).join(", ")}`,
      p.ownContact ? "⚠️ Includes the reader's own contact card (they chose to share it)." : "",
      p.forum
        ? "<i>Write in this topic to answer the reader; your name is not shown. The buttons set the status.</i>"
        : "<i>Reply to this card or to any copy below to answer the reader; your name is not shown. The buttons set the status.</i>",
    ]
      .filter(Boolean)
      .join("\n"),
  tipAnswerText: (p: { ref: string; text: string }) => `↩️ <b>Reader's answer on ${h(p.ref)}</b>\n\n${h(p.text)}`,
  tipRelayed: (p: { ref: string }) => `Sent to the reader of ${h(p.ref)} (without your name).`,
  tipRelayFailed: (p: { ref: string }) => `Could not reach the reader of ${h(p.ref)} right now; please try again later.`,
  tipRelayRefused: (p: { ref: string }) =>
    `Telegram refused this reply to the reader of ${h(p.ref)}, so sending it again will not help. Please shorten or rephrase it.`,
  tipReaderGone: (p: { ref: string }) => `The reader of ${h(p.ref)} has blocked the bot or deleted the chat.`,
  tipNoLongerKept: () => "This tip is no longer kept (expired or deleted by the reader); the reply was not sent.",
  tipStatusSet: (p: { ref: string; status: Status }) => `${h(p.ref)}: status set to ${p.status}; the reader was told.`,
  /** A status as staff read it (e.g. in /stats); unknown values are shown as stored. */
  tipStatusWord: (p: { status: string }) => h(p.status),
  tipStatusUsage: () => "Usage: /status T-XXXXX new|checking|published|declined",
  tipRefNotFound: (p: { ref: string }) => `No tip ${h(p.ref)} (wrong reference, expired or deleted).`,
  tipBlockUsage: () => "Usage: /block T-XXXXX; /unblock B-XXXXX (the block reference) or /unblock T-XXXXX while the tip is kept",
  tipBlockDone: (p: { ref: string; blockRef: string }) =>
    `The reader of ${h(p.ref)} is blocked from the tip line. Block reference: <b>${h(p.blockRef)}</b>; /unblock ${h(p.blockRef)} lifts it, also after the tip is gone.`,
  tipUnblockDone: (p: { ref: string }) => `Block lifted (${h(p.ref)}): that reader may send tips again.`,
  tipNotBlocked: (p: { ref: string }) => `No block ${h(p.ref)} (wrong reference, or already lifted).`,
  tipStaffOnly: () => "Sorry, only newsroom staff can do that.",
  // --- tip desk (buttons and /tips in the newsroom; button labels and toasts are plain text)
  /** Name of a tip's forum topic: the reference and a neutral label, never the reader's name. */
  tipTopicName: (p: { ref: string }) => `${p.ref} · tip`,
  tipDeskStatusButton: (p: { status: Status; current: boolean }) => `${p.current ? "● " : ""}${deskStatusIcon[p.status]} ${enDeskStatus[p.status]}`,
  tipDeskBlockButton: (p: { blocked: boolean }): string => (p.blocked ? "⛔ Reader blocked" : "⛔ Block reader"),
  tipDeskStatusToast: (p: { ref: string; status: Status }) => `${p.ref}: ${enDeskStatus[p.status]}. The reader was told.`,
  tipDeskStatusUnchanged: (p: { ref: string; status: Status }) => `${p.ref} already is: ${enDeskStatus[p.status]}.`,
  tipDeskBlockedToast: (p: { ref: string; blockRef: string }) =>
    `The reader of ${p.ref} is blocked from the tip line (block ${p.blockRef}). /unblock ${p.blockRef} lifts it.`,
  tipDeskGone: () => "This tip is no longer kept (expired or deleted by the reader).",
  tipListTitle: (p: { count: number; page: number; pages: number }) =>
    `<b>Open tips</b> (${n(p.count)}), newest first${p.pages > 1 ? ` · page ${n(p.page)}/${n(p.pages)}` : ""}`,
  tipListLine: (p: { ref: string; link?: string | undefined; age: string; status: Status; parts: number }) =>
    `• ${p.link ? `<a href="${h(p.link)}">${h(p.ref)}</a>` : `<b>${h(p.ref)}</b>`} · ${h(p.age)} · ${enDeskStatus[p.status].toLowerCase()} · ${n(p.parts)} part${p.parts === 1 ? "" : "s"}`,
  tipListEmpty: () => "No open tips: everything is published or declined.",
  tipListHint: () => "<i>Status buttons are on each tip's card.</i>",
  tipListPrev: () => "‹ Newer",
  tipListNext: () => "Older ›",
  tipListExpired: () => "This list is out of date. Send /tips for a fresh one.",
  /** A tip's age as staff read it in /tips (plain text). */
  tipAge: (p: { minutes: number }) =>
    p.minutes < 60 ? `${Math.max(1, p.minutes)} min` : p.minutes < 48 * 60 ? `${Math.floor(p.minutes / 60)} h` : `${Math.floor(p.minutes / 1440)} d`,
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
      "发送的联系人名片会显示名字和电话；您自己的名片还会显示您的 Telegram 账号，所以匿名报料时我们会先问您再加入。",
      contactLines(p, "☎ 新闻热线：", "🌐 网上报料："),
    ]
      .filter(Boolean)
      .join("\n\n"),
  tipButtonAnonymous: (p) => `${p.selected ? "✅ " : ""}保持匿名`,
  tipButtonNamed: (p) => `${p.selected ? "✅ " : ""}显示我的名字`,
  tipChoseAnonymous: () => "您将保持匿名。",
  tipChoseNamed: () => "编辑部将看到您的名字和 @用户名。",
  tipReceived: () => "已收到。可以继续发送，或发送 /done 提交，/cancel 放弃。",
  tipStatus: (p) =>
    `✅ 报料已收到 <b>${n(p.count)}</b> 条消息（${p.kinds.map(([k, c]) => `${zhKind[k]} ×${c}`).join("，")}）。可以继续发送，或发送 /done 提交，/cancel 放弃。`,
  tipButtonSend: () => "📨 立即提交",
  tipButtonCancel: () => "✖ 放弃",
  tipAskQuery: (p) => `“${h(p.text)}”是报料内容，还是想搜索它？您选择之前不会加入报料。`,
  tipButtonAddToTip: () => "➕ 加入报料",
  tipButtonSearchInstead: () => "🔎 改为搜索",
  tipAddedToTip: () => "已加入报料。",
  tipSearchingInstead: (p) => `未加入报料，改为搜索“${h(p.text)}”。报料仍可继续。`,
  tipSearchHint: (p) => `未加入报料。要搜索，请发送 /search ${h(p.text)}`,
  tipQuestionGone: () => "这个问题已经失效。",
  tipAskOwnContact: () => "这是<b>您自己的联系人名片</b>。您的报料是匿名的：加入后，编辑部将看到您的名字、电话号码和 Telegram 账号。仍要加入吗？",
  tipButtonAddContact: () => "仍然加入（不再匿名）",
  tipButtonSkipContact: () => "不加入",
  tipContactLeftOut: () => "未加入您的联系人名片，报料仍然匿名。",
  tipReminder: (p) => `⏰ 您的报料（${n(p.count)} 条消息）还没有提交，如不提交，约 ${n(p.hoursLeft)} 小时后将被放弃。`,
  tipDraftExpired: (p) => `您未提交的报料（${n(p.count)} 条消息）已被放弃：${n(p.draftHours)} 小时内没有提交，没有任何内容发给编辑部。发送 /tip 可重新开始。`,
  tipUnconfirmedLeftOut: (p) => `有 ${n(p.count)} 条您没有确认的消息未加入。`,
  tipBadButton: () => "这个按钮无效或已失效。",
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
      `• 您的报料：编号、聊天 id、消息 id、时间、是否匿名；只有您选择显示时才保存名字和 @用户名。${n(p.retentionDays)} 天后删除。`,
      `• 编辑部消息与您报料之间的对应关系（用于回复您）：${n(p.retentionDays)} 天后删除。`,
      `• 未提交的报料：${n(p.draftHours)} 小时后放弃（之前提醒您一次，放弃时也会告诉您）。`,
      "• 过去一小时内的报料时间（用于频率限制）。",
      "• 新闻推送：您的订阅、摘要时间、免打扰时段和语言；发送失败的推送记录（保留 30 天）。",
      "• 如果编辑部禁止您报料：保存您聊天的单向指纹，而不是聊天 id。/forget 后仍会保留。",
      "您的消息本身保留在本 Telegram 聊天中；副本发送到编辑部的聊天，并保留在那里。",
      "/forget 会先征求确认，然后只删除报料（报料、对应关系、未提交的报料、频率记录），或删除以上全部。已在编辑部聊天中的副本不会被删除。",
    ].join("\n"),
  tipForgetAsk: (p) =>
    [
      "<b>要删除哪些内容？</b>",
      `<b>只删除报料</b>：您发送的 ${n(p.tips)} 条报料及编辑部回复您所需的对应关系${p.draft ? "、未提交的报料" : ""}，以及最近的报料时间。您的新闻订阅和设置保留。`,
      `<b>删除全部</b>：以上全部，另外还有${[
        p.topics.length > 0 ? `您的订阅（${p.topics.map(h).join("、")}）` : "您的订阅（目前没有）",
        p.digestAt ? `每日摘要（${h(p.digestAt)}）` : "",
        p.quiet ? `免打扰时段 ${h(p.quiet)}` : "",
        p.lang ? "语言设置" : "",
        "发送失败的推送记录",
      ]
        .filter(Boolean)
        .join("、")}。${p.topics.length > 0 ? "<b>之后您将不再收到新闻</b>，除非重新订阅。" : ""}`,
      "已在编辑部聊天中的副本不会被删除。如果您被禁止报料，这条禁止记录（单向指纹）会保留。",
    ].join("\n\n"),
  tipButtonForgetTips: () => "只删除报料",
  tipButtonForgetAll: () => "删除全部",
  tipButtonForgetNo: () => "都不删除",
  tipForgetKept: () => "没有删除任何内容。",
  tipForgotten: (p) => `已从我们的存储中删除 ${n(p.count)} 条报料、对应关系和报料记录。您的订阅和设置没有改变。已在编辑部聊天中的副本不会被删除。`,
  tipForgottenAll: (p) =>
    `已删除 ${n(p.count)} 条报料以及我们保存的与您有关的其他全部信息：订阅、摘要、免打扰时段、语言和推送记录。您将不再收到新闻；发送 /start 可重新开始。已在编辑部聊天中的副本不会被删除。`,
  tipCard: (p) =>
    [
      `📥 <b>报料 ${h(p.ref)}</b> · ${h(p.time)}`,
      p.name !== undefined ? `来自：${h(p.name)}${p.username ? `（@${h(p.username)}）` : ""}` : "来自：匿名读者",
      `内容：${p.kinds.map(([k, c]) => `${zhKind[k]} ×${c}`).join("，")}`,
      p.ownContact ? "⚠️ 包含读者本人的联系人名片（读者确认分享）。" : "",
      p.forum
        ? "<i>在本话题中发言即可回复读者；读者看不到您的名字。按钮可设置状态。</i>"
        : "<i>回复本卡片或下方任一副本即可回复读者；读者看不到您的名字。按钮可设置状态。</i>",
    ]
      .filter(Boolean)
      .join("\n"),
  tipAnswerText: (p) => `↩️ <b>读者对 ${h(p.ref)} 的回复</b>\n\n${h(p.text)}`,
  tipRelayed: (p) => `已发送给 ${h(p.ref)} 的读者（不显示您的名字）。`,
  tipRelayFailed: (p) => `暂时无法联系 ${h(p.ref)} 的读者，请稍后再试。`,
  tipRelayRefused: (p) => `Telegram 拒绝了这条发给 ${h(p.ref)} 读者的回复，重发也无济于事。请缩短或改写后再发。`,
  tipReaderGone: (p) => `${h(p.ref)} 的读者已屏蔽机器人或删除了聊天。`,
  tipNoLongerKept: () => "这条报料已不再保存（已过期或被读者删除），回复未发送。",
  tipStatusSet: (p) => `${h(p.ref)}：状态已设为“${zhStatus[p.status]}”，已通知读者。`,
  tipStatusWord: (p) => h(p.status in zhStatus ? zhStatus[p.status as Status] : p.status),
  tipStatusUsage: () => "用法：/status T-XXXXX 已收到|核实中|已发表|未采用（也可用 new|checking|published|declined）",
  tipRefNotFound: (p) => `没有报料 ${h(p.ref)}（编号错误、已过期或已删除）。`,
  tipBlockUsage: () => "用法：/block T-XXXXX；/unblock B-XXXXX（禁止编号），报料仍保存时也可用 /unblock T-XXXXX",
  tipBlockDone: (p) => `${h(p.ref)} 的读者已被禁止报料。禁止编号：<b>${h(p.blockRef)}</b>；发送 /unblock ${h(p.blockRef)} 可解除，报料删除后也有效。`,
  tipUnblockDone: (p) => `已解除禁止（${h(p.ref)}），该读者可以再次报料。`,
  tipNotBlocked: (p) => `没有禁止记录 ${h(p.ref)}（编号错误或已解除）。`,
  tipStaffOnly: () => "抱歉，只有编辑部工作人员可以这样做。",
  tipTopicName: (p) => `${p.ref} · 报料`,
  tipDeskStatusButton: (p) => `${p.current ? "● " : ""}${deskStatusIcon[p.status]} ${zhStatus[p.status]}`,
  tipDeskBlockButton: (p) => (p.blocked ? "⛔ 已禁止该读者" : "⛔ 禁止该读者"),
  tipDeskStatusToast: (p) => `${p.ref}：状态已设为“${zhStatus[p.status]}”，已通知读者。`,
  tipDeskStatusUnchanged: (p) => `${p.ref} 的状态已经是“${zhStatus[p.status]}”。`,
  tipDeskBlockedToast: (p) => `${p.ref} 的读者已被禁止报料（禁止编号 ${p.blockRef}）。发送 /unblock ${p.blockRef} 可解除。`,
  tipDeskGone: () => "这条报料已不再保存（已过期或被读者删除）。",
  tipListTitle: (p) => `<b>未结报料</b>（${n(p.count)} 条），最新的在前${p.pages > 1 ? ` · 第 ${n(p.page)}/${n(p.pages)} 页` : ""}`,
  tipListLine: (p) =>
    `• ${p.link ? `<a href="${h(p.link)}">${h(p.ref)}</a>` : `<b>${h(p.ref)}</b>`} · ${h(p.age)} · ${zhStatus[p.status]} · ${n(p.parts)} 条`,
  tipListEmpty: () => "没有未结的报料：全部已发表或未采用。",
  tipListHint: () => "<i>每条报料卡片上都有状态按钮。</i>",
  tipListPrev: () => "‹ 较新",
  tipListNext: () => "较早 ›",
  tipListExpired: () => "这个列表已过时。请重新发送 /tips。",
  tipAge: (p) =>
    p.minutes < 60 ? `${Math.max(1, p.minutes)} 分钟` : p.minutes < 48 * 60 ? `${Math.floor(p.minutes / 60)} 小时` : `${Math.floor(p.minutes / 1440)} 天`,
};

export const tips = { en, "zh-CN": zhCN } as const;
