// Reads the parts of an S3 ListObjectsV2 XML response a lake needs: keys and common prefixes.
// The format is flat and fixed, so a few regular expressions do; a response without a
// ListBucketResult element is refused.

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) =>
    entity.startsWith("#x")
      ? String.fromCodePoint(parseInt(entity.slice(2), 16))
      : entity.startsWith("#")
        ? String.fromCodePoint(Number(entity.slice(1)))
        : ENTITIES[entity]!,
  );
}

export function parseListBucketResult(xml: string): { keys: string[]; prefixes: string[] } {
  if (!/<ListBucketResult[\s>]/.test(xml)) throw new Error(`not a ListObjectsV2 response: ${xml.slice(0, 120)}`);
  const keys = [...xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)].map((m) => unescapeXml(m[1]!));
  const prefixes = [...xml.matchAll(/<CommonPrefixes>\s*<Prefix>([\s\S]*?)<\/Prefix>\s*<\/CommonPrefixes>/g)].map((m) => unescapeXml(m[1]!));
  return { keys, prefixes };
}
