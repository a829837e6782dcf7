// How much memory decompressing a zstd object can take, read from its frame and block headers
// without decompressing anything (RFC 8878). A few KB of RLE blocks can claim gigabytes, and
// Bun.zstdDecompress has no output limit: the source asks this before decompressing. Pure.
//
// Frame:     magic 0xFD2FB528 (LE), Frame_Header_Descriptor, [Window_Descriptor], [Dictionary_ID],
//            [Frame_Content_Size], blocks, [Content_Checksum (4)]
// Block:     3-byte LE header: Last_Block (bit 0), Block_Type (bits 1-2: raw, RLE, compressed),
//            Block_Size (bits 3-23); raw carries Block_Size bytes, RLE 1 byte repeated Block_Size
//            times, compressed Block_Size bytes that decode to at most Block_Maximum_Size
//            (min(Window_Size, 128 KiB); libzstd refuses a block that decodes to more).
// Skippable: magic 0x184D2A5?, 4-byte LE size, that many bytes.

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAXIMUM_SIZE = 128 * 1024;

export interface ZstdSize {
  /** Most bytes the object can decompress to (exact for raw and RLE blocks, 128 KiB per compressed block). */
  readonly maxContentBytes: number;
  /** The sum of the frames' Frame_Content_Size, when every frame declares one. */
  readonly declaredContentBytes: number | null;
  /** The largest Window_Size of its frames (what a streaming decoder keeps in memory). */
  readonly maxWindowBytes: number;
}

/** Not a well-formed sequence of zstd frames; names the offset. */
export class ZstdFrameError extends Error {
  override readonly name = "ZstdFrameError";
}

/** Reads the frame and block headers of `bytes` (one or more frames); throws a ZstdFrameError if malformed. */
export function zstdSize(bytes: Uint8Array): ZstdSize {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, size: number, what: string) => {
    if (at + size > bytes.length) throw new ZstdFrameError(`zstd ${what} cut short at offset ${at}`);
  };
  let at = 0;
  let maxContentBytes = 0;
  let declared: number | null = 0;
  let maxWindowBytes = 0;
  if (bytes.length === 0) throw new ZstdFrameError("empty object: no zstd frame");
  while (at < bytes.length) {
    need(at, 4, "frame magic number");
    const magic = view.getUint32(at, true);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(at + 4, 4, "skippable frame size");
      const size = view.getUint32(at + 4, true);
      need(at + 8, size, "skippable frame");
      at += 8 + size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new ZstdFrameError(`not a zstd frame at offset ${at} (magic number 0x${magic.toString(16).padStart(8, "0")})`);
    at += 4;
    need(at, 1, "frame header");
    const descriptor = bytes[at++]!;
    const fcsFlag = descriptor >> 6;
    const singleSegment = (descriptor & 0x20) !== 0;
    if ((descriptor & 0x08) !== 0) throw new ZstdFrameError(`zstd frame header at offset ${at - 1} sets its reserved bit`);
    const checksum = (descriptor & 0x04) !== 0;
    const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
    let windowBytes = 0;
    if (!singleSegment) {
      need(at, 1, "window descriptor");
      const window = bytes[at++]!;
      const windowBase = 2 ** (10 + (window >> 3));
      windowBytes = windowBase + (windowBase / 8) * (window & 0x07);
    }
    at += dictionaryIdBytes;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    need(at, fcsBytes, "frame content size");
    let contentSize: number | null = null;
    if (fcsBytes === 1) contentSize = bytes[at]!;
    else if (fcsBytes === 2) contentSize = view.getUint16(at, true) + 256;
    else if (fcsBytes === 4) contentSize = view.getUint32(at, true);
    else if (fcsBytes === 8) contentSize = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    at += fcsBytes;
    if (singleSegment) windowBytes = contentSize!;
    declared = declared !== null && contentSize !== null ? declared + contentSize : null;
    maxWindowBytes = Math.max(maxWindowBytes, windowBytes);
    for (let last = false; !last; ) {
      need(at, 3, "block header");
      const header = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
      at += 3;
      last = (header & 1) === 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3) throw new ZstdFrameError(`zstd block at offset ${at - 3} has the reserved block type`);
      if (type === 1) {
        need(at, 1, "RLE block");
        at += 1;
        maxContentBytes += size;
      } else {
        need(at, size, type === 0 ? "raw block" : "compressed block");
        at += size;
        maxContentBytes += type === 0 ? size : BLOCK_MAXIMUM_SIZE;
      }
    }
    if (checksum) {
      need(at, 4, "content checksum");
      at += 4;
    }
  }
  return { maxContentBytes, declaredContentBytes: declared, maxWindowBytes };
}
