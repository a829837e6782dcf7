// Amounts shown in asset units by string arithmetic: every digit of a HUGEINT survives (a float
// would round past 2^53), fee refunds keep their sign, assets read as CODE plus issuer.
import { describe, expect, test } from "bun:test";
import { amountView, assetView, baseUnitsToDecimal, groupThousands } from "../../src/web/amounts.ts";

describe("baseUnitsToDecimal", () => {
  test("7 decimals, grouped thousands, exact for any length", () => {
    expect(baseUnitsToDecimal("1599581975")).toBe("159.9581975");
    expect(baseUnitsToDecimal("100")).toBe("0.0000100");
    expect(baseUnitsToDecimal("0")).toBe("0.0000000");
    expect(baseUnitsToDecimal("10000000")).toBe("1.0000000");
    expect(baseUnitsToDecimal("16200000000000")).toBe("1,620,000.0000000");
    // i128's largest value: a float would print 1.7014118346046923e+31
    expect(baseUnitsToDecimal("170141183460469231731687303715884105727")).toBe("17,014,118,346,046,923,173,168,730,371,588.4105727");
    expect(baseUnitsToDecimal("9007199254740993")).toBe("900,719,925.4740993"); // 2^53 + 1
  });

  test("negative amounts (fee refunds) keep their sign; -0 is 0", () => {
    expect(baseUnitsToDecimal("-60305")).toBe("-0.0060305");
    expect(baseUnitsToDecimal("-12345678901")).toBe("-1,234.5678901");
    expect(baseUnitsToDecimal("-0")).toBe("0.0000000");
  });

  test("other decimals, and text that is not an integer is refused by name", () => {
    expect(baseUnitsToDecimal("12345", 2)).toBe("123.45");
    expect(baseUnitsToDecimal("12345", 0)).toBe("12,345");
    expect(() => baseUnitsToDecimal("1.5")).toThrow('not an integer amount: "1.5"');
    expect(() => baseUnitsToDecimal("")).toThrow("not an integer amount");
  });

  test("groupThousands", () => {
    expect(["1", "12", "123", "1234", "1234567"].map(groupThousands)).toEqual(["1", "12", "123", "1,234", "1,234,567"]);
  });
});

describe("assetView and amountView", () => {
  const USDC = "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN";
  const SAC = "CCW67TSZV3SSS2HXMBQ5JFGCKJNXKZM7UQUWUZPUTHXSTZLEO7SJMI75";

  test("native is XLM, CODE:ISSUER splits, a contract token has no decimals of ours", () => {
    expect(assetView("native", SAC)).toEqual({ code: "XLM", issuer: null, asset: "native", sevenDecimals: true });
    expect(assetView(USDC, SAC)).toEqual({ code: "USDC", issuer: "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN", asset: USDC, sevenDecimals: true });
    expect(assetView(null, SAC)).toEqual({ code: "contract token", issuer: SAC, asset: null, sevenDecimals: false });
  });

  test("the exact base units stay beside the text", () => {
    expect(amountView("1599581975", assetView("native", SAC))).toEqual({ text: "159.9581975", unit: "XLM", exact: "1599581975" });
    expect(amountView("-60305", assetView("native", SAC))).toEqual({ text: "-0.0060305", unit: "XLM", exact: "-60305" });
    expect(amountView("123456789012345678901234567890", assetView(null, SAC))).toEqual({ text: "123,456,789,012,345,678,901,234,567,890", unit: "base units", exact: "123456789012345678901234567890" });
  });
});
