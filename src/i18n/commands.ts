import { h } from "./escape.js";
import type { Lang } from "./lang.js";

/** One entry of a command menu (setMyCommands allows 1-256 characters of description). */
export interface MenuCommand {
  command: string;
  description: string;
  /** Arguments shown after the command in /help (plain text, escaped there), e.g. "<ref> <status>". Never sent to setMyCommands. */
  args?: string;
}

/** Command menus registered with setMyCommands, per language (Telegram allows 1-256 chars of description). */
export const COMMAND_MENU: Record<Lang, MenuCommand[]> = {
  "zh-CN": [
    { command: "latest", description: "最新文章" },
    { command: "topics", description: "栏目与订阅" },
    { command: "search", description: "搜索文章" },
    { command: "tip", description: "向编辑部报料" },
    { command: "digest", description: "每日摘要时间" },
    { command: "quiet", description: "免打扰时段" },
    { command: "lang", description: "语言 / Language" },
    { command: "privacy", description: "隐私说明" },
    { command: "help", description: "帮助" },
  ],
  en: [
    { command: "latest", description: "Newest articles" },
    { command: "topics", description: "Topics and subscriptions" },
    { command: "search", description: "Search articles" },
    { command: "tip", description: "Send a news tip" },
    { command: "digest", description: "Daily digest time" },
    { command: "quiet", description: "Quiet hours" },
    { command: "lang", description: "Language / 语言" },
    { command: "privacy", description: "Privacy" },
    { command: "help", description: "Help" },
  ],
};

/**
 * Staff commands, per language: the newsroom chat's menu and each admin's private menu (before the
 * reader commands), and the "Newsroom" part of /help there. The one list of staff commands: a
 * feature that adds one appends it here, in both languages (a test checks they match).
 */
export const STAFF_COMMANDS: Record<Lang, MenuCommand[]> = {
  "zh-CN": [
    { command: "stats", description: "统计：订阅、文章、投递、报料" },
    { command: "feeds", description: "订阅源状态" },
    { command: "poll", description: "立即抓取全部订阅源" },
    { command: "addfeed", args: "网址 [栏目…]", description: "添加订阅源（先预览，再确认）" },
    { command: "removefeed", args: "ID", description: "删除订阅源" },
    { command: "pausefeed", args: "ID", description: "暂停抓取订阅源" },
    { command: "resumefeed", args: "ID", description: "恢复抓取订阅源" },
    { command: "export", description: "全部订阅源导出为 OPML 文件（把 OPML 文件发到编辑部即可导入）" },
    { command: "addtopic", args: "代号 中文名 | 英文名 | 关键词", description: "添加栏目（先预览，再确认）" },
    { command: "edittopic", args: "代号 [关键词 +词 -词 | 名称 中文名 | 英文名]", description: "查看或修改栏目的名称与关键词" },
    { command: "removetopic", args: "代号", description: "删除栏目（先确认；会通知订阅者）" },
    { command: "broadcast", args: "文字", description: "向全部订阅者推送突发新闻（先确认）" },
    { command: "tips", description: "未结报料列表（状态、时长、条数，可翻页）" },
    { command: "status", args: "编号 new|checking|published|declined", description: "设置报料状态（会告知读者）" },
    { command: "block", args: "编号", description: "停止为该报料的读者服务" },
    { command: "unblock", args: "编号", description: "恢复为该报料的读者服务" },
    { command: "id", description: "本聊天的 ID 与您的用户 ID（用于配置）" },
  ],
  en: [
    { command: "stats", description: "Statistics: subscribers, articles, deliveries, tips" },
    { command: "feeds", description: "Feed health" },
    { command: "poll", description: "Poll every feed now" },
    { command: "addfeed", args: "url [topic…]", description: "Add a feed (preview, then confirm)" },
    { command: "removefeed", args: "id", description: "Remove a feed" },
    { command: "pausefeed", args: "id", description: "Stop polling a feed" },
    { command: "resumefeed", args: "id", description: "Poll a paused feed again" },
    { command: "export", description: "Every feed as an OPML file (send an OPML file to the newsroom to import)" },
    { command: "addtopic", args: "id 中文名 | English name | keywords", description: "Add a topic (preview, then confirm)" },
    { command: "edittopic", args: "id [keywords +word -word | name 中文名 | English name]", description: "Show or change a topic's names and keywords" },
    { command: "removetopic", args: "id", description: "Remove a topic (asks first; its subscribers are told)" },
    { command: "broadcast", args: "text", description: "Breaking news to every subscriber (asks first)" },
    { command: "tips", description: "Open tips with status, age and parts (paged)" },
    { command: "status", args: "ref new|checking|published|declined", description: "Set a tip's status (the reader is told)" },
    { command: "block", args: "ref", description: "Stop serving that tip's reader" },
    { command: "unblock", args: "ref", description: "Serve that tip's reader again" },
    { command: "id", description: "This chat's id and your user id (for the config)" },
  ],
};

/** The menu of staff chats: staff commands first, then the reader commands not already listed. */
export function staffMenu(lang: Lang): MenuCommand[] {
  const staff = STAFF_COMMANDS[lang];
  const taken = new Set(staff.map((c) => c.command));
  return [...staff, ...COMMAND_MENU[lang].filter((c) => !taken.has(c.command))];
}

/** The staff part of /help, Telegram HTML: a heading, then one line per staff command. */
export function staffHelp(lang: Lang): string {
  const heading = lang === "zh-CN" ? "<b>编辑部</b>（仅限编辑部成员）" : "<b>Newsroom</b> (staff only)";
  const colon = lang === "zh-CN" ? "：" : ": ";
  const lines = STAFF_COMMANDS[lang].map((c) => `/${c.command}${c.args ? ` ${h(c.args)}` : ""}${colon}${h(c.description)}`);
  const reply =
    lang === "zh-CN"
      ? "回复报料卡片（或在论坛模式下该报料的话题里发言）即可答复读者，不显示您的名字；卡片上的按钮可设置状态或屏蔽。"
      : "Reply to a tip card (or, in a forum newsroom, write in the tip's topic) to answer its reader without your name; the card's buttons set its status or block.";
  return [heading, ...lines, reply].join("\n");
}
