import { describe, expect, it } from "vitest";
import { didYouMean, suggestionSuffix } from "./did-you-mean.ts";

const CONDITIONS = ["max_amount", "approval_threshold", "hard_limit", "amount_param"];

describe("didYouMean", () => {
  it.each([
    ["approval_treshold", "approval_threshold"],
    ["approval-threshold", "approval_threshold"],
    ["Max_Amount", "max_amount"],
    ["hardlimit", "hard_limit"],
    ["amount_params", "amount_param"],
  ])("suggests a near miss: %s → %s", (typo, expected) => {
    expect(didYouMean(typo, CONDITIONS)).toBe(expected);
  });

  it.each(["colour", "limit", "x", "threshold_for_approvals"])("stays quiet for an unrelated word: %s", (word) => {
    expect(didYouMean(word, CONDITIONS)).toBeUndefined();
  });

  it("has nothing to suggest without candidates or for an exact match", () => {
    expect(didYouMean("max_amount", [])).toBeUndefined();
    expect(didYouMean("max_amount", CONDITIONS)).toBeUndefined();
  });

  it("formats the suggestion as a message suffix", () => {
    expect(suggestionSuffix("approval_treshold", CONDITIONS)).toBe("; did you mean `approval_threshold`?");
    expect(suggestionSuffix("colour", CONDITIONS)).toBe("");
  });
});
