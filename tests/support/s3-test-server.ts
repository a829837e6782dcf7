// A minimal S3 server on 127.0.0.1 for tests: path-style GET (and HEAD) object and ListObjectsV2 over
// a local folder (read in place; with `writable`, PUT and DELETE write into it), with injectable faults: an error status (with Retry-After), a delay, a
// body cut in half, or a request that never answers. It can be stopped and started again on the
// same port, as a server that dies mid-run and comes back.
import { mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";

export type Fault =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly delayMs: number }
  | { readonly truncate: true }
  | { readonly hang: true };

export interface S3TestServerOptions {
  /** The folder served as the bucket's contents (keys are paths relative to it). */
  readonly root: string;
  readonly bucket?: string;
  /** Delay before every response. */
  readonly delayMs?: number;
  /** Accept PUT (whole objects) and DELETE into `root`. */
  readonly writable?: boolean;
  /** Decides a fault for a request: `key` ("" for a listing) and how many times it was asked for (1-based). */
  readonly fault?: (key: string, hit: number) => Fault | undefined;
  /** Headers added to every response (e.g. access-control-allow-origin, for a page reading the lake). */
  readonly headers?: Record<string, string>;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class S3TestServer {
  readonly bucket: string;
  /** Every request path and query, in arrival order. */
  readonly requests: string[] = [];
  readonly #hits = new Map<string, number>();
  #server: ReturnType<typeof Bun.serve> | null = null;
  #port = 0;

  private constructor(readonly options: S3TestServerOptions) {
    this.bucket = options.bucket ?? "ledgers";
  }

  static async start(options: S3TestServerOptions): Promise<S3TestServer> {
    const server = new S3TestServer(options);
    server.listen();
    return server;
  }

  /** The folder's files now (it may change while served, as a lake being written). */
  private async keys(): Promise<string[]> {
    return (await readdir(this.options.root, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(this.options.root.length + 1))
      .sort();
  }

  /** http://127.0.0.1:port (the S3 endpoint). */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** URL of a folder in the bucket, for HttpsStore: endpoint/bucket/prefix. */
  url(prefix = ""): string {
    return `${this.endpoint}/${this.bucket}/${prefix}`;
  }

  /** How many times `key` was requested. */
  hits(key: string): number {
    return this.#hits.get(key) ?? 0;
  }

  listen(): void {
    this.#server = Bun.serve({
      hostname: "127.0.0.1",
      port: this.#port,
      fetch: async (request) => {
        const response = await this.handle(request);
        for (const [name, value] of Object.entries(this.options.headers ?? {})) response.headers.set(name, value);
        return response;
      },
    });
    this.#port = this.#server.port!;
  }

  stop(): void {
    this.#server?.stop(true);
    this.#server = null;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    this.requests.push(url.pathname + url.search);
    const [, bucket = "", ...rest] = url.pathname.split("/");
    if (bucket !== this.bucket) return this.error(404, "NoSuchBucket", bucket);
    const key = rest.map(decodeURIComponent).join("/");
    const hit = (this.#hits.get(key) ?? 0) + 1;
    this.#hits.set(key, hit);
    if (this.options.delayMs) await Bun.sleep(this.options.delayMs);
    const fault = this.options.fault?.(key, hit);
    if (fault && "hang" in fault) return new Promise<Response>(() => undefined);
    if (fault && "delayMs" in fault) await Bun.sleep(fault.delayMs);
    if (fault && "status" in fault) return new Response(fault.body ?? "", { status: fault.status, headers: fault.headers });
    if (key === "" && url.searchParams.get("list-type") === "2") return this.list(url.searchParams, await this.keys());
    const file = Bun.file(join(this.options.root, key));
    if (key.split("/").includes("..")) return this.error(400, "InvalidArgument", key);
    if (request.method === "PUT" || request.method === "DELETE") {
      if (!this.options.writable) return this.error(403, "AccessDenied", key);
      if (request.method === "DELETE") await rm(join(this.options.root, key), { force: true });
      else {
        await mkdir(dirname(join(this.options.root, key)), { recursive: true });
        await Bun.write(file, await request.arrayBuffer());
      }
      return new Response(null, { status: request.method === "DELETE" ? 204 : 200, headers: { etag: '"0"' } });
    }
    if (!(await file.exists())) return request.method === "HEAD" ? new Response(null, { status: 404 }) : this.error(404, "NoSuchKey", key);
    if (request.method === "HEAD") return new Response(null, { headers: { "content-length": String(file.size) } });
    const body = await file.bytes();
    return new Response(fault && "truncate" in fault ? body.subarray(0, body.length >> 1) : body);
  }

  private list(query: URLSearchParams, keys: readonly string[]): Response {
    const prefix = query.get("prefix") ?? "";
    const delimiter = query.get("delimiter");
    const maxKeys = Number(query.get("max-keys") ?? 1000);
    const entries: { key?: string; prefix?: string }[] = [];
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter!.length);
        if (entries.at(-1)?.prefix !== common) entries.push({ prefix: common });
      } else entries.push({ key });
    }
    const from = Number(query.get("continuation-token") ?? 0);
    const page = entries.slice(from, from + maxKeys);
    const truncated = entries.length > from + maxKeys;
    const xml = [
      `<?xml version="1.0" encoding="UTF-8"?>`,
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${this.bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
      `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${from + maxKeys}</NextContinuationToken>` : ""}`,
      ...page.map((e) =>
        e.key !== undefined ? `<Contents><Key>${escapeXml(e.key)}</Key><Size>0</Size></Contents>` : `<CommonPrefixes><Prefix>${escapeXml(e.prefix!)}</Prefix></CommonPrefixes>`,
      ),
      `</ListBucketResult>`,
    ].join("");
    return new Response(xml, { headers: { "content-type": "application/xml" } });
  }

  private error(status: number, code: string, resource: string): Response {
    return new Response(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><Resource>${escapeXml(resource)}</Resource></Error>`, {
      status,
      headers: { "content-type": "application/xml" },
    });
  }
}
