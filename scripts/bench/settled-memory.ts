// The process's JS heap and resident set after full collections have settled (imports nothing, so
// that a measurement of what modules cost can use it before loading them).
export async function settledMemory(): Promise<{ heap: number; rss: number }> {
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    await Bun.sleep(20);
  }
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}
