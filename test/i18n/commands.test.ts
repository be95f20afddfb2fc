import { describe, expect, it } from "vitest";
import { COMMAND_MENU, STAFF_COMMANDS, staffHelp, staffMenu } from "../../src/i18n/commands.js";
import { LANGS } from "../../src/i18n/index.js";
import { parseTelegramHtml } from "../support/telegram-html.js";

describe("command menus", () => {
  it("lists the same commands in both languages, in a shape setMyCommands accepts", () => {
    for (const menus of [COMMAND_MENU, STAFF_COMMANDS]) {
      expect(menus["zh-CN"].map((c) => c.command)).toEqual(menus.en.map((c) => c.command));
      for (const lang of LANGS) {
        for (const c of menus[lang]) {
          expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
          expect(c.description.length).toBeGreaterThan(0);
          expect(c.description.length).toBeLessThanOrEqual(256);
        }
      }
    }
  });

  it("puts staff commands first in staff chats, each command once", () => {
    for (const lang of LANGS) {
      const menu = staffMenu(lang).map((c) => c.command);
      expect(menu.slice(0, STAFF_COMMANDS[lang].length)).toEqual(STAFF_COMMANDS[lang].map((c) => c.command));
      expect(new Set(menu).size).toBe(menu.length);
      expect(menu).toEqual(expect.arrayContaining(COMMAND_MENU[lang].map((c) => c.command)));
      expect(menu.length).toBeLessThanOrEqual(100);
    }
  });

  it("writes the staff help as valid Telegram HTML with every command, in each language", () => {
    for (const lang of LANGS) {
      const html = staffHelp(lang);
      expect(parseTelegramHtml(html).ok).toBe(true);
      for (const c of STAFF_COMMANDS[lang]) expect(html).toContain(`/${c.command}`);
    }
    expect(staffHelp("en")).toContain("/status ref new|checking|published|declined: ");
    expect(staffHelp("zh-CN")).toContain("/status 编号 new|checking|published|declined：");
  });
});
