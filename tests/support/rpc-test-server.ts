// A mock Stellar RPC on 127.0.0.1 for tests: getLedgers (startLedger or cursor paging, limit
// <= 200, the real server's range errors), getLatestLedger, getNetwork and getHealth, serving real
// ledgers read from a lake. Its tip can be moved to play ledgers closing, and each call can be
// given a fault: an HTTP error (with Retry-After), a delay, a hang, a cut-off body, malformed JSON,
// a ledger left out of a page, or the server going away.
import type { RawLedger } from "../../src/arrow/ledger-batch.ts";

export type RpcFault =
  | { readonly status: number; readonly headers?: Record<string, string> }
  | { readonly delayMs: number }
  | { readonly hang: true }
  | { readonly truncate: true }
  | { readonly malformedJson: true }
  | { readonly dropLedger: number }
  | { readonly die: { readonly forMs: number } };

export interface RpcTestServerOptions {
  readonly ledgers: readonly RawLedger[];
  readonly passphrase: string;
  /** The newest ledger served at first (default: the last one given). */
  readonly latestLedger?: number;
  /** Decides a fault for the n-th call (1-based) of `method`. */
  readonly fault?: (method: string, params: Record<string, unknown>, n: number) => RpcFault | undefined;
}

export class RpcTestServer {
  /** Every call, as method and params, in arrival order. */
  readonly calls: { method: string; params: Record<string, unknown> }[] = [];
  /** The newest ledger served; raise it to make ledgers "close". */
  latestLedger: number;
  readonly #bySequence = new Map<number, RawLedger>();
  readonly #oldest: number;
  #server: ReturnType<typeof Bun.serve> | null = null;
  #port = 0;

  private constructor(readonly options: RpcTestServerOptions) {
    for (const l of options.ledgers) this.#bySequence.set(l.sequence, l);
    this.#oldest = options.ledgers[0]!.sequence;
    this.latestLedger = options.latestLedger ?? options.ledgers.at(-1)!.sequence;
  }

  static start(options: RpcTestServerOptions): RpcTestServer {
    const server = new RpcTestServer(options);
    server.listen();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  listen(): void {
    this.#server = Bun.serve({ hostname: "127.0.0.1", port: this.#port, fetch: (request) => this.handle(request) });
    this.#port = this.#server.port!;
  }

  stop(): void {
    this.#server?.stop(true);
    this.#server = null;
  }

  /** The ledgers served by getLedgers calls, in order (with repeats, if any). */
  servedSequences(): number[] {
    return this.served;
  }
  private served: number[] = [];

  private async handle(request: Request): Promise<Response> {
    const message = (await request.json()) as { id: number; method: string; params?: Record<string, unknown> };
    const params = message.params ?? {};
    this.calls.push({ method: message.method, params });
    const n = this.calls.filter((c) => c.method === message.method).length;
    const fault = this.options.fault?.(message.method, params, n);
    if (fault && "hang" in fault) return new Promise<Response>(() => undefined);
    if (fault && "delayMs" in fault) await Bun.sleep(fault.delayMs);
    if (fault && "status" in fault) return new Response("upstream trouble", { status: fault.status, headers: fault.headers });
    if (fault && "die" in fault) {
      this.stop();
      setTimeout(() => this.listen(), fault.die.forMs);
      return new Promise<Response>(() => undefined);
    }
    const answer = this.answer(message.method, params, fault && "dropLedger" in fault ? fault.dropLedger : null);
    let body = JSON.stringify({ jsonrpc: "2.0", id: message.id, ...answer });
    if (fault && "truncate" in fault) body = body.slice(0, body.length >> 1);
    if (fault && "malformedJson" in fault) body = `{"jsonrpc": "2.0", "id": ${message.id}, "result": {"ledgers": [tru`;
    return new Response(body, { headers: { "content-type": "application/json" } });
  }

  private answer(method: string, params: Record<string, unknown>, drop: number | null): { result: unknown } | { error: { code: number; message: string } } {
    switch (method) {
      case "getNetwork":
        return { result: { passphrase: this.options.passphrase, protocolVersion: 22 } };
      case "getLatestLedger":
        return { result: { id: this.#bySequence.get(this.latestLedger)?.hash ?? "", sequence: this.latestLedger, protocolVersion: 22 } };
      case "getHealth":
        return { result: { status: "healthy", latestLedger: this.latestLedger, oldestLedger: this.#oldest, ledgerRetentionWindow: 120960 } };
      case "getLedgers":
        return this.getLedgers(params, drop);
      default:
        return { error: { code: -32601, message: "method not found" } };
    }
  }

  private getLedgers(params: Record<string, unknown>, drop: number | null): { result: unknown } | { error: { code: number; message: string } } {
    const pagination = (params.pagination ?? {}) as { cursor?: string; limit?: number };
    const limit = pagination.limit ?? 5;
    if (limit > 200) return { error: { code: -32602, message: "limit must not exceed 200" } };
    let start: number;
    if (pagination.cursor !== undefined) {
      if (params.startLedger !== undefined) return { error: { code: -32602, message: "startLedger and cursor cannot both be set" } };
      start = Number(pagination.cursor) + 1;
    } else {
      start = Number(params.startLedger);
      if (!(start >= this.#oldest && start <= this.latestLedger)) {
        return {
          error: { code: -32600, message: `start ledger must be between the oldest ledger: ${this.#oldest} and the latest ledger: ${this.latestLedger} for this rpc instance.` },
        };
      }
    }
    const ledgers = [];
    for (let seq = start; seq <= this.latestLedger && ledgers.length < limit; seq++) {
      const ledger = this.#bySequence.get(seq);
      if (!ledger) break;
      if (seq === drop) continue;
      ledgers.push({
        hash: ledger.hash,
        sequence: seq,
        ledgerCloseTime: String(ledger.closedAt),
        headerXdr: "",
        metadataXdr: ledger.xdr.toBase64(),
      });
      this.served.push(seq);
    }
    const last = ledgers.at(-1)?.sequence ?? start - 1;
    return {
      result: { ledgers, latestLedger: this.latestLedger, latestLedgerCloseTime: "0", oldestLedger: this.#oldest, oldestLedgerCloseTime: "0", cursor: String(last) },
    };
  }
}
