export const NETWORK_PASSPHRASES = {
  pubnet: "Public Global Stellar Network ; September 2015",
  testnet: "Test SDF Network ; September 2015",
  futurenet: "Test SDF Future Network ; October 2022",
  standalone: "Standalone Network ; February 2017",
} as const;

export type NetworkName = keyof typeof NETWORK_PASSPHRASES;

/** Accepts a network name (pubnet, testnet, futurenet, standalone) or a literal passphrase. */
export function resolvePassphrase(network: string): string {
  const named = (NETWORK_PASSPHRASES as Record<string, string>)[network.toLowerCase()];
  return named ?? network;
}
