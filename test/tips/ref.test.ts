import { describe, expect, it } from "vitest";
import { AnonChoiceSchema } from "../../src/tips/intake.js";
import { TipButtonSchema } from "../../src/tips/buttons.js";
import { TIP_REF_ALPHABET, newBlockRef, newTipRef, parseBlockRef, parseTipRef } from "../../src/tips/ref.js";

describe("tip references", () => {
  it("uses no ambiguous characters and has the T- shape", async () => {
    expect(TIP_REF_ALPHABET).not.toMatch(/[01OIL]/);
    for (let i = 0; i < 200; i++) expect(await newTipRef(() => Promise.resolve(false))).toMatch(/^T-[2-9A-HJKMNP-Z]{5}$/);
  });

  it("never hands out a reference that exists", async () => {
    const zero = () => 0;
    const taken = new Set(["T-22222"]);
    const exists = (r: string) => Promise.resolve(taken.has(r));
    expect(await newTipRef(exists, zero)).toBe("T-222222");
    taken.add("T-222222");
    await expect(newTipRef(exists, zero)).rejects.toThrow(/free tip reference/);
  });

  it("reads references in any case, with or without T-, and refuses lookalikes", () => {
    expect(parseTipRef("t-7k3qx")).toBe("T-7K3QX");
    expect(parseTipRef(" 7K3QX ")).toBe("T-7K3QX");
    expect(parseTipRef("T-7K0QX")).toBeNull();
    expect(parseTipRef("T-7K")).toBeNull();
    expect(parseTipRef("hello")).toBeNull();
  });

  it("validates anonymity callback data", () => {
    expect(AnonChoiceSchema.parse("tip:anon:1")).toEqual({ anonymous: true });
    expect(AnonChoiceSchema.parse("tip:anon:0")).toEqual({ anonymous: false });
    expect(AnonChoiceSchema.safeParse("tip:anon:2").success).toBe(false);
    expect(AnonChoiceSchema.safeParse("tip:anon:1;drop").success).toBe(false);
  });
});

describe("tip buttons and block references", () => {
  it("parse every tip button and refuse anything else", () => {
    expect(TipButtonSchema.parse("tip:send")).toEqual({ kind: "send" });
    expect(TipButtonSchema.parse("tip:q:search:42")).toEqual({ kind: "pending", add: false, search: true, messageId: 42 });
    expect(TipButtonSchema.parse("tip:ct:add:7")).toEqual({ kind: "pending", add: true, search: false, messageId: 7 });
    expect(TipButtonSchema.parse("tip:forget:all")).toEqual({ kind: "forget", scope: "all" });
    for (const bad of ["tip:q:add:", "tip:q:add:1x", "tip:forget:maybe", "tip:send;drop", "tip:anon:2", "tip:ct:add:1234567890123"])
      expect(TipButtonSchema.safeParse(bad).success, bad).toBe(false);
  });

  it("block references need their B- and use the same alphabet", async () => {
    expect(await newBlockRef(() => Promise.resolve(false))).toMatch(/^B-[2-9A-HJKMNP-Z]{5}$/);
    expect(parseBlockRef("b-7k3qx")).toBe("B-7K3QX");
    expect(parseBlockRef("7K3QX")).toBeNull();
    expect(parseBlockRef("T-7K3QX")).toBeNull();
  });
});
