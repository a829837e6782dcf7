// Headless Chromium for browser tests: Debian's /usr/bin/chromium (installed by .ci/run), driven by
// playwright-core; no browser is ever downloaded. Screenshots go to test-artifacts/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = resolve(import.meta.dir, "..", "..", "test-artifacts");

export interface HeadlessChromium {
  /** A persistent context on a fresh profile directory (removed by close). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<HeadlessChromium> {
  if (!(await Bun.file(CHROMIUM).exists())) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run does)`);
  }
  const profile = mkdtempSync(join(tmpdir(), "stellar-flow-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1280, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
}

/** The environment of a child the test configures itself: without flowctl, port, id or stellar-flow settings of the caller's. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/FLOWCTL|HEALTH_PORT|COMPONENT_ID|STELLAR_FLOW_/.test(key)) env[key] = value;
  return { ...env, ...extra };
}

/** Stops a child that is still running: SIGTERM, then SIGKILL after 5 s. */
export async function stopChild(child: ReturnType<typeof Bun.spawn> | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill("SIGTERM");
  await Promise.race([child.exited, Bun.sleep(5000)]);
  if (child.exitCode === null) child.kill("SIGKILL");
}
