// A flat Arrow record batch as its columns' buffers, for postMessage between threads: no IPC
// encoding on one side and decoding on the other, and the big buffers moved rather than copied.
import { DataType, makeData, Table, tableFromIPC, tableToIPC, type Data, type RecordBatch, type Schema } from "apache-arrow";
import { recordBatchOf } from "./columns.ts";

/** One column as its Arrow buffers (column offset 0). */
export interface WireColumn {
  readonly length: number;
  readonly nullCount: number;
  readonly values: ArrayBufferView;
  readonly valueOffsets?: Int32Array;
  readonly nullBitmap?: Uint8Array;
}

export interface WireBatch {
  readonly columns: WireColumn[];
  /** Buffers to list as transferables: after postMessage the batch's columns named here are unreadable. */
  readonly transfer: ArrayBuffer[];
}

function sameShape(batch: RecordBatch, schema: Schema): boolean {
  return (
    batch.schema.fields.length === schema.fields.length &&
    schema.fields.every((f, i) => batch.schema.fields[i]!.name === f.name && String(batch.schema.fields[i]!.type) === String(f.type)) &&
    batch.data.children.every((data) => data.offset === 0 && data.children.length === 0 && !DataType.isDictionary(data.type))
  );
}

/** A buffer that holds exactly `view`, to transfer: the view's own when it covers all of it, else a copy. */
function ownBuffer<T extends ArrayBufferView>(view: T, taken: Set<ArrayBufferLike>): T {
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer && !taken.has(view.buffer);
  if (whole) return view;
  const Copy = view.constructor as new (source: T) => T;
  return new Copy(view); // a typed array copied from a typed array: its own buffer
}

/**
 * `batch` as buffers, or null when it is not a flat batch of `schema` with unsliced columns (send
 * those as IPC). Values of the columns for which `move(name)` holds are transferred (copied first
 * when they share a buffer); everything else is cloned by postMessage.
 */
export function toWireBatch(batch: RecordBatch, schema: Schema, move: (column: string) => boolean): WireBatch | null {
  if (!sameShape(batch, schema)) return null;
  const transfer: ArrayBuffer[] = [];
  const taken = new Set<ArrayBufferLike>();
  const columns = batch.data.children.map((data: Data, i): WireColumn => {
    let values = data.values as ArrayBufferView;
    if (move(schema.fields[i]!.name)) {
      values = ownBuffer(values, taken);
      taken.add(values.buffer);
      transfer.push(values.buffer as ArrayBuffer);
    }
    return {
      length: data.length,
      nullCount: data.nullCount,
      values,
      ...(data.valueOffsets ? { valueOffsets: data.valueOffsets as Int32Array } : {}),
      ...(data.nullBitmap && data.nullBitmap.length > 0 ? { nullBitmap: data.nullBitmap } : {}),
    };
  });
  return { columns, transfer };
}

/** The record batch of `schema` rebuilt around the buffers of `columns`. */
export function fromWireBatch(schema: Schema, columns: readonly WireColumn[]): RecordBatch {
  if (columns.length !== schema.fields.length) throw new Error(`a wire batch of ${columns.length} columns for a schema of ${schema.fields.length}`);
  const length = columns[0]?.length ?? 0;
  const children = schema.fields.map((field, i) => {
    const column = columns[i]!;
    if (column.length !== length) throw new Error(`wire column ${field.name} has ${column.length} rows, the batch ${length}`);
    // makeData has an overload per type; the field says which one
    return makeData({ type: field.type, length, nullCount: column.nullCount, data: column.values, valueOffsets: column.valueOffsets, nullBitmap: column.nullBitmap } as any);
  });
  return recordBatchOf(schema, length, children);
}

/** A batch ready for postMessage: wire columns, or Arrow IPC stream bytes for batches of another shape. */
export interface PackedBatch {
  readonly payload: readonly WireColumn[] | Uint8Array;
  readonly transfer: ArrayBuffer[];
}

/** `batch` as wire columns (see toWireBatch), falling back to IPC, whose bytes are always moved. */
export function packBatch(batch: RecordBatch, schema: Schema, move: (column: string) => boolean): PackedBatch {
  const wire = toWireBatch(batch, schema, move);
  if (wire) return { payload: wire.columns, transfer: wire.transfer };
  const ipc = tableToIPC(new Table(batch), "stream");
  return { payload: ipc, transfer: [ipc.buffer as ArrayBuffer] };
}

/** The batch of a packed payload; undefined for an IPC stream without a batch. */
export function unpackBatch(schema: Schema, payload: readonly WireColumn[] | Uint8Array): RecordBatch | undefined {
  return payload instanceof Uint8Array ? tableFromIPC(payload).batches[0] : fromWireBatch(schema, payload);
}
