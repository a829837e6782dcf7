// `bun run bench:edge [--requests N]`: what the edge and the portable library cost, in one run.
// - zstd candidates on every shared lake object: Bun's native zstd, fzstd (pure JS, the portable
//   default) and zstddec (libzstd in WebAssembly): MB/s of output, bundle size, whether workerd runs it;
// - the Worker bundle (bun run build:edge): size and gzip size;
// - CPU time per request in workerd (miniflare) for pubnet and protocol-23 ledgers: workerd's own CPU
//   (user + system, from /proc) over N requests, less that of N GET /livez, ledger objects fetched
//   from a local lake with the Cache API off (the upper bound: a cache hit only saves the fetch).
import { gzipSync } from "node:zlib";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { decompress as fzstdDecompress } from "fzstd";
import { Miniflare } from "miniflare";
import { ZSTDDecoder } from "zstddec";
import { bunAdapters } from "../src/lib/bun.ts";
import { portableAdapters } from "../src/lib/adapters.ts";
import { LedgerEventsDecoder } from "../src/lib/decoded-ledger.ts";
import { readLedgerObject } from "../src/lib/ledger-object.ts";
import { LEDGERS_DIR } from "./fixtures/shared-ledgers.ts";
import { recommitLedger } from "./fixtures/chained-ledgers/ledger-template.ts";
import { cp, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { S3TestServer } from "./fixtures/s3-test-server.ts";
import { processCpuMs, startWorker } from "./fixtures/workerd.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { requests: { type: "string" } } });
const REQUESTS = Number(values.requests ?? 40);
const root = join(import.meta.dir, "..");
const work = await mkdtemp(join(tmpdir(), "stellar-flow-edge-bench-"));
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function bundleSize(source: string): Promise<{ bytes: number; gzip: number; code: string }> {
  const entry = join(root, `.edge-bench-${process.pid}.ts`);
  await writeFile(entry, source);
  try {
    const result = await Bun.build({ entrypoints: [entry], target: "browser", format: "esm", minify: true });
    if (!result.success) throw new Error(result.logs.map(String).join("; "));
    const code = await result.outputs[0]!.text();
    return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, code };
  } finally {
    await rm(entry, { force: true });
  }
}

async function runsInWorkerd(code: string): Promise<string> {
  const path = join(work, "candidate.js");
  await writeFile(path, code);
  const mf = new Miniflare({ modules: [{ type: "ESModule", path, contents: code }], modulesRoot: work, compatibilityDate: "2025-01-01" });
  try {
    return await (await mf.dispatchFetch("http://bench.test/")).text();
  } finally {
    await mf.dispose();
  }
}

// 1. zstd candidates
const objects = (await readdir(LEDGERS_DIR, { recursive: true })).filter((f) => /\/[^/]+\.xdr\.zst$/.test(f) && !f.startsWith("raw/"));
const compressed = await Promise.all(objects.map((f) => Bun.file(join(LEDGERS_DIR, f)).bytes()));
const outBytes = compressed.reduce((n, c) => n + Bun.zstdDecompressSync(c).length, 0);
const wasm = new ZSTDDecoder();
await wasm.init();
const candidates: { name: string; decode: (b: Uint8Array) => Uint8Array; entry: string | null }[] = [
  { name: "Bun.zstdDecompressSync (native)", decode: (b) => Bun.zstdDecompressSync(b), entry: null },
  { name: "fzstd 0.1.1 (pure JS; portable default)", decode: (b) => fzstdDecompress(b), entry: `import { decompress } from "fzstd"; export default { async fetch() { try { decompress(new Uint8Array([0x28,0xb5,0x2f,0xfd,0x20,0x00,0x01,0x00,0x00])); return new Response("runs"); } catch (e) { return new Response("refused: " + e); } } };` },
  { name: "zstddec 0.3.4 (libzstd in WebAssembly)", decode: (b) => wasm.decode(b), entry: `import { ZSTDDecoder } from "zstddec"; export default { async fetch() { try { const d = new ZSTDDecoder(); await d.init(); return new Response("runs"); } catch (e) { return new Response("refused: " + e); } } };` },
];
for (const c of candidates) compressed.forEach((b, i) => {
  if (Buffer.compare(c.decode(b), Bun.zstdDecompressSync(b)) !== 0) throw new Error(`${c.name} decodes ${objects[i]} differently`);
});
console.log(`zstd: ${objects.length} shared lake objects, ${(outBytes / 1e6).toFixed(1)} MB decompressed, 3 rounds interleaved, best round`);
const best = new Map<string, number>();
for (let round = 0; round < 3; round++) {
  for (const c of candidates) {
    const started = performance.now();
    for (let k = 0; k < 3; k++) for (const b of compressed) c.decode(b);
    const mbps = (3 * outBytes) / 1e6 / ((performance.now() - started) / 1000);
    best.set(c.name, Math.max(best.get(c.name) ?? 0, mbps));
  }
}
const native = best.get(candidates[0]!.name)!;
for (const c of candidates) {
  const size = c.entry ? await bundleSize(c.entry) : null;
  const workerd = c.entry ? await runsInWorkerd(size!.code) : "n/a (Bun only)";
  const mbps = best.get(c.name)!;
  console.log(
    `  ${c.name.padEnd(42)} ${mbps.toFixed(0).padStart(5)} MB/s  ${(mbps / native).toFixed(2)}x native  bundle ${size ? `${kib(size.bytes)} (${kib(size.gzip)} gzip)` : "0"}  workerd: ${workerd}`,
  );
}

// 2. the Worker bundle
const build = Bun.spawnSync(["bun", "scripts/build-edge.ts", "--outdir", work], { cwd: root });
console.log(build.stdout.toString().trim());
const bundle = join(work, "worker.js");

// 3. per-ledger cost: in Bun (portable vs Bun's adapters), then CPU per request in workerd
// 85 and 63 are the full load-test ledgers (about 1.8 MB of XDR, as a 2025-26 mainnet ledger); their
// headers commit to part of their transaction set only, so they are read with the check off, and
// once more from a copy of the lake whose 85 has its header patched to commit to what it carries
// (as the bench's replays do), so that the default check runs over all of it.
const recommitted = join(work, "lakes");
{
  const key = (await readdir(join(LEDGERS_DIR, "standalone-p23"), { recursive: true })).find((f) => f.endsWith("--85.xdr.zst"))!;
  const passphrase = JSON.parse(await Bun.file(join(LEDGERS_DIR, "standalone-p23", ".config.json")).text()).networkPassphrase as string;
  const batch = Bun.zstdDecompressSync(await Bun.file(join(LEDGERS_DIR, "standalone-p23", key)).bytes());
  const patched = Buffer.concat([batch.subarray(0, 12), recommitLedger(batch.subarray(12))]);
  await mkdir(dirname(join(recommitted, "standalone-p23-recommitted", key)), { recursive: true });
  await cp(join(LEDGERS_DIR, "standalone-p23", ".config.json"), join(recommitted, "standalone-p23-recommitted", ".config.json"));
  await Bun.write(join(recommitted, "standalone-p23-recommitted", key), Bun.zstdCompressSync(patched));
}
const LEDGERS = [
  { lake: "pubnet", sequence: 30822015, note: "P13, 57 txs", check: true },
  { lake: "pubnet", sequence: 56065483, note: "P22, 359 txs", check: true },
  { lake: "standalone-p23", sequence: 84, note: "P23, nearly empty", check: true },
  { lake: "standalone-p23", sequence: 85, note: "P23, Soroban load test, tx-set check off", check: false },
  { lake: "standalone-p23-recommitted", sequence: 85, note: "P23, the same with its header patched, tx-set check on", check: true },
  { lake: "standalone-p24", sequence: 63, note: "P24, Soroban load test, tx-set check off", check: false },
];
const lakeServer = await S3TestServer.start({ root: LEDGERS_DIR });
const recommittedServer = await S3TestServer.start({ root: recommitted });
const lakeRoot = (lake: string) => (lake.endsWith("-recommitted") ? recommitted : LEDGERS_DIR);
const lakeUrl = (lake: string) => (lake.endsWith("-recommitted") ? recommittedServer : lakeServer).url(lake);
console.log(`per ledger: read + decode + TTP in Bun, and CPU per request in workerd (${REQUESTS} requests, JSON answer, less a GET /livez)`);
try {
  for (const { lake, sequence, note, check } of LEDGERS) {
    const key = (await readdir(join(lakeRoot(lake), lake), { recursive: true })).find((f) => f.endsWith(`--${sequence}.xdr.zst`))!;
    const object = await Bun.file(join(lakeRoot(lake), lake, key)).bytes();
    const network = JSON.parse(await Bun.file(join(lakeRoot(lake), lake, ".config.json")).text()).networkPassphrase as string;
    let events = 0;
    const inBun = async (adapters: typeof portableAdapters) => {
      const decoder = new LedgerEventsDecoder({ network, sha256: adapters.sha256, checkTxSet: check });
      let fastest = Infinity;
      for (let i = 0; i < 15; i++) {
        const started = performance.now();
        const [raw] = await readLedgerObject(object, key, adapters);
        events = decoder.decode(raw!.xdr).events.length;
        fastest = Math.min(fastest, performance.now() - started);
      }
      return fastest;
    };
    const portableMs = await inBun(portableAdapters);
    const bunMs = await inBun(bunAdapters);
    const xdrBytes = Bun.zstdDecompressSync(object).length;

    const bindings = { STELLAR_FLOW_DATALAKE: lakeUrl(lake), STELLAR_FLOW_TX_SET_CHECK: check ? "on" : "off" };
    const worker = await startWorker(bundle, bindings, { cache: false });
    try {
      if (worker.pid === null) throw new Error("cannot find workerd's process");
      const cpuOf = async (path: string) => {
        for (let i = 0; i < 3; i++) await (await worker.fetch(path)).arrayBuffer();
        const before = processCpuMs(worker.pid!);
        for (let i = 0; i < REQUESTS; i++) {
          const response = await worker.fetch(path);
          if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        }
        return (processCpuMs(worker.pid!) - before) / REQUESTS;
      };
      const idle = await cpuOf("/livez");
      const ledger = await cpuOf(`/v1/ledgers/${sequence}/events`);
      console.log(
        `  ${lake} ${sequence} (${note}; ${kib(object.length)} zstd, ${kib(xdrBytes)} XDR, ${events} events): in Bun ${portableMs.toFixed(1)} ms portable, ${bunMs.toFixed(1)} ms Bun's adapters; workerd ${(ledger - idle).toFixed(1)} ms CPU per request (GET /livez ${idle.toFixed(1)} ms)`,
      );
    } finally {
      await worker.dispose();
    }
  }
} finally {
  lakeServer.stop();
  recommittedServer.stop();
  await rm(work, { recursive: true, force: true });
}
