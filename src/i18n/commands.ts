import type { Lang } from "./lang.js";

/** Command menus registered with setMyCommands, per language (Telegram allows 1-256 chars of description). */
export const COMMAND_MENU: Record<Lang, Array<{ command: string; description: string }>> = {
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
