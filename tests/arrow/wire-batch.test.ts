// Record batches as column buffers between threads: a round trip through structured clone (what
// postMessage does) gives the same rows; moved columns are detached, the others left readable.
import { expect, test } from "bun:test";
import { Field, Schema, Uint32, makeData } from "apache-arrow";
import { recordBatchOf } from "../../src/arrow/columns.ts";
import { ttpEventBatch, ttpEventSchema } from "../../src/arrow/event-batch.ts";
import { fromWireBatch, packBatch, toWireBatch, unpackBatch } from "../../src/arrow/wire-batch.ts";
import { ledgerEvents } from "../sink/fixtures.ts";

const rows = (batch: ReturnType<typeof ttpEventBatch>) => batch.toArray().map((row) => JSON.stringify(row.toJSON(), (_, v) => (typeof v === "bigint" ? String(v) : v)));

test("a ttp_events batch (nulls, strings, HUGEINT, timestamps) survives the trip with every column moved", () => {
  const events = [...ledgerEvents(100), ...ledgerEvents(101, 7n)];
  const batch = ttpEventBatch(events);
  const expected = rows(batch);
  const wire = toWireBatch(batch, ttpEventSchema, () => true)!;
  expect(wire.transfer.length).toBe(ttpEventSchema.fields.length);
  const received = structuredClone(wire.columns, { transfer: wire.transfer });
  expect(rows(fromWireBatch(ttpEventSchema, received))).toEqual(expected);
  expect(wire.transfer.every((buffer) => buffer.byteLength === 0)).toBe(true); // moved, not copied
});

test("only the columns asked for are moved", () => {
  const batch = ttpEventBatch(ledgerEvents(100));
  const wire = toWireBatch(batch, ttpEventSchema, (column) => column === "tx_hash" || column === "from_address")!;
  expect(wire.transfer.length).toBe(2);
  const received = structuredClone(wire.columns, { transfer: wire.transfer });
  const back = fromWireBatch(ttpEventSchema, received);
  expect(back.getChild("from_address")!.toArray()).toEqual(ledgerEvents(100).map((e) => e.from));
  expect(batch.getChild("to_address")!.get(1)).toBe(ledgerEvents(100)[1]!.to); // not moved: still readable here
});

test("a sliced batch or another schema is not sent as buffers (the caller falls back to IPC)", () => {
  const batch = ttpEventBatch([...ledgerEvents(100), ...ledgerEvents(101)]);
  expect(toWireBatch(batch.slice(1, 3), ttpEventSchema, () => true)).toBeNull();
  expect(toWireBatch(batch.selectAt([0, 1]), ttpEventSchema, () => true)).toBeNull();
  expect(() => fromWireBatch(ttpEventSchema, [])).toThrow("a wire batch of 0 columns for a schema of 14");
});

test("columns viewing parts of one buffer are copied before they are moved", () => {
  const schema = new Schema([new Field("a", new Uint32(), false), new Field("b", new Uint32(), false)]);
  const shared = new Uint32Array([1, 2, 3, 4]);
  const batch = recordBatchOf(schema, 2, [makeData({ type: new Uint32(), length: 2, data: shared.subarray(0, 2) }), makeData({ type: new Uint32(), length: 2, data: shared.subarray(2) })]);
  const wire = toWireBatch(batch, schema, () => true)!;
  expect(new Set(wire.transfer).size).toBe(2);
  const back = fromWireBatch(schema, structuredClone(wire.columns, { transfer: wire.transfer }));
  expect([...back.getChild("a")!.toArray(), ...back.getChild("b")!.toArray()]).toEqual([1, 2, 3, 4]);
  expect([...shared]).toEqual([1, 2, 3, 4]); // the original buffer was copied, not moved
});

test("packBatch sends a sliced batch as IPC and unpackBatch reads back the same rows", () => {
  const sliced = ttpEventBatch([...ledgerEvents(100), ...ledgerEvents(101)]).slice(1, 6);
  const packed = packBatch(sliced, ttpEventSchema, () => true);
  expect(packed.payload).toBeInstanceOf(Uint8Array);
  const received = structuredClone(packed.payload, { transfer: packed.transfer });
  expect(rows(unpackBatch(ttpEventSchema, received)!)).toEqual(rows(sliced));
});
