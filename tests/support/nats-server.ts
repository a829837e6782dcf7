// Debian's nats-server (JetStream, a file store in a temporary folder) on a free port on 127.0.0.1,
// started and stopped by the test; it can be killed and started again on the same port and store.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

// Debian installs it in /usr/sbin, which a non-root PATH may lack
const BINARY = process.env.NATS_SERVER ?? (existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server");

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

export class NatsTestServer {
  #proc: Subprocess | null = null;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  static async start(): Promise<NatsTestServer> {
    const server = new NatsTestServer(freePort(), mkdtempSync(join(tmpdir(), "stellar-flow-nats-")));
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again) and waits until it takes connections. */
  async restart(): Promise<void> {
    this.#proc = Bun.spawn([BINARY, "-js", "-sd", this.storeDir, "-a", "127.0.0.1", "-p", String(this.port)], { stdout: "ignore", stderr: "pipe" });
    const deadline = performance.now() + 10_000;
    for (;;) {
      const up = await Bun.connect({ hostname: "127.0.0.1", port: this.port, socket: { data() {} } }).then(
        (socket) => (socket.end(), true),
        () => false,
      );
      if (up) return;
      if (this.#proc.exitCode !== null || performance.now() > deadline) {
        const stderr = await new Response(this.#proc.stderr as ReadableStream).text().catch(() => "");
        throw new Error(`nats-server did not start on port ${this.port}: ${stderr.slice(-500)}`);
      }
      await Bun.sleep(50);
    }
  }

  /** Kills the server (SIGKILL): the file store keeps what was stored. */
  async kill(): Promise<void> {
    this.#proc?.kill("SIGKILL");
    await this.#proc?.exited;
    this.#proc = null;
  }

  async stop(): Promise<void> {
    this.#proc?.kill("SIGTERM");
    await this.#proc?.exited;
    this.#proc = null;
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
