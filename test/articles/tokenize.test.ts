import { describe, expect, it } from "vitest";
import { stem } from "../../src/articles/stem.js";
import { normalizeText, titleKey, tokenize } from "../../src/articles/tokenize.js";

describe("tokenize", () => {
  it("adds character bigrams so compounds split by the segmenter still match", () => {
    const terms = tokenize("高区打印机产业链");
    expect(terms).toEqual(expect.arrayContaining(["高区", "打印", "印机", "产业"]));
  });

  it("normalises full-width text and lower-cases Latin words", () => {
    expect(normalizeText("ＧＤＰ　ｉＰｈｏｎｅ１５")).toBe("gdp iphone15");
    expect(tokenize("ＧＤＰ增长")).toEqual(expect.arrayContaining(["gdp", "增长"]));
  });

  it("keeps mixed letter-digit words and numbers whole", () => {
    expect(tokenize("iPhone 15 and 5G")).toEqual(["iphon", "15", "5g"]);
  });

  it("drops English stop words and stems", () => {
    expect(tokenize("The elections of the Parliament")).toEqual(["elect", "parliament"]);
  });

  it("titleKey ignores punctuation, width and case", () => {
    expect(titleKey("威海：新能源，突破！")).toBe(titleKey("威海:新能源,突破!"));
    expect(titleKey("Hello, World")).toBe("helloworld");
  });
});

describe("stem (Porter)", () => {
  it.each([
    ["elections", "elect"],
    ["election", "elect"],
    ["ponies", "poni"],
    ["caresses", "caress"],
    ["hopping", "hop"],
    ["relational", "relat"],
    ["generalization", "gener"],
    ["adjustment", "adjust"],
  ])("%s → %s", (word, expected) => {
    expect(stem(word)).toBe(expected);
  });

  it("leaves short and non-ASCII words alone", () => {
    expect(stem("is")).toBe("is");
    expect(stem("café")).toBe("café");
  });
});
