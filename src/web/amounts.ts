// How the dashboard shows amounts and assets: base units (stroops) as asset units with 7 decimals,
// by string arithmetic (an amount never goes through a float), assets as CODE plus a shortened
// issuer. The exact values stay beside the text, for titles and copying.

/** Classic assets and their Stellar Asset Contracts count in units of 10^-7 (a stroop of XLM). */
export const STELLAR_DECIMALS = 7;

/** "1234567890" -> "123.4567890", "-100" -> "-0.0000100": exact, for any length of integer text. */
export function baseUnitsToDecimal(base: string, decimals = STELLAR_DECIMALS): string {
  const match = /^(-?)(\d+)$/.exec(base.trim());
  if (!match) throw new Error(`not an integer amount: ${JSON.stringify(base)}`);
  const [, sign, digits] = match as unknown as [string, string, string];
  const padded = digits.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals).replace(/^0+(?=\d)/, "");
  const fraction = padded.slice(padded.length - decimals);
  const negative = sign === "-" && /[1-9]/.test(digits);
  return `${negative ? "-" : ""}${groupThousands(whole)}${decimals > 0 ? `.${fraction}` : ""}`;
}

/** "1234567" -> "1,234,567". */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export interface AssetView {
  /** "XLM", the asset code, or "contract token" (a token that is not a Stellar asset: its decimals are its own). */
  readonly code: string;
  /** The issuer's (or the token contract's) strkey; null for XLM. */
  readonly issuer: string | null;
  /** The value as the table holds it and filters take it: "native", "CODE:ISSUER", or null for a contract token. */
  readonly asset: string | null;
  /** Units with 7 decimals (XLM and classic assets); false: base units as they are. */
  readonly sevenDecimals: boolean;
}

/** `asset` as stored ("native", "CODE:ISSUER" or null) with the event's contract address. */
export function assetView(asset: string | null | undefined, contract: string): AssetView {
  if (asset === "native") return { code: "XLM", issuer: null, asset, sevenDecimals: true };
  if (asset) {
    const colon = asset.indexOf(":");
    return colon > 0
      ? { code: asset.slice(0, colon), issuer: asset.slice(colon + 1), asset, sevenDecimals: true }
      : { code: asset, issuer: null, asset, sevenDecimals: true };
  }
  return { code: "contract token", issuer: contract || null, asset: null, sevenDecimals: false };
}

export interface AmountView {
  /** What the cell shows: "1,234.5670000" (or base units for a contract token). */
  readonly text: string;
  /** The unit beside it: "XLM", the asset code, or "base units". */
  readonly unit: string;
  /** The exact value as stored (base units), for titles and copying. */
  readonly exact: string;
}

export function amountView(amount: string, asset: AssetView): AmountView {
  if (!asset.sevenDecimals) return { text: groupSigned(amount), unit: "base units", exact: amount };
  return { text: baseUnitsToDecimal(amount), unit: asset.code, exact: amount };
}

function groupSigned(integer: string): string {
  return integer.startsWith("-") ? `-${groupThousands(integer.slice(1))}` : groupThousands(integer);
}

