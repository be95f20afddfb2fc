import { describe, expect, it } from "vitest";
import { AnonChoiceSchema } from "../../src/tips/intake.js";
import { TIP_REF_ALPHABET, newTipRef, parseTipRef } from "../../src/tips/ref.js";

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
