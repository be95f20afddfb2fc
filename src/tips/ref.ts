import { randomInt } from "node:crypto";

/** Letters and digits that cannot be misread for one another (no 0/O, 1/I/L). */
export const TIP_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** Length of a new reference's code, after `T-` (31^5 ≈ 29 million codes). */
export const TIP_REF_LENGTH = 5;

const REF = new RegExp(`^T-[${TIP_REF_ALPHABET}]{4,6}$`);

/** A random reference such as `T-7K3QX`; `exists` is asked so no two tips share one. */
export function newTipRef(exists: (ref: string) => Promise<boolean>, random: (max: number) => number = randomInt): Promise<string> {
  return newRef("T", exists, random);
}

/** A random block reference such as `B-7K3QX`, shown to staff when they block a reader. */
export function newBlockRef(exists: (ref: string) => Promise<boolean>, random: (max: number) => number = randomInt): Promise<string> {
  return newRef("B", exists, random);
}

const BLOCK_REF = new RegExp(`^B-[${TIP_REF_ALPHABET}]{4,6}$`);

/** `b-7k3qx`, `B-7K3QX` → `B-7K3QX`; null when it is not a block reference (the `B-` is required). */
export function parseBlockRef(input: string): string | null {
  const s = input.trim().toUpperCase();
  return BLOCK_REF.test(s) ? s : null;
}

async function newRef(prefix: "T" | "B", exists: (ref: string) => Promise<boolean>, random: (max: number) => number): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    // After a few collisions the space is crowded: a longer code keeps references unguessable.
    const length = attempt < 10 ? TIP_REF_LENGTH : TIP_REF_LENGTH + 1;
    let code = "";
    for (let i = 0; i < length; i++) code += TIP_REF_ALPHABET[random(TIP_REF_ALPHABET.length)];
    const ref = `${prefix}-${code}`;
    if (!(await exists(ref))) return ref;
  }
  throw new Error(`could not find a free ${prefix === "T" ? "tip" : "block"} reference`);
}

/** `t-7k3qx`, `T-7K3QX`, `7k3qx` → `T-7K3QX`; null when it cannot be a reference. */
export function parseTipRef(input: string): string | null {
  const s = input.trim().toUpperCase();
  const ref = s.startsWith("T-") ? s : `T-${s}`;
  return REF.test(ref) ? ref : null;
}
