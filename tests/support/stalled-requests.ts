// Clients that stall: a request head promising a body that never comes (a slow-loris client),
// to check that a server drops them after its idle timeout instead of holding them forever.

export interface StalledRequest {
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;
  /** Whether the server has closed it yet. */
  isClosed(): boolean;
  /** Closes it from the client side (cleanup). */
  end(): void;
}

/** Opens a connection to `baseUrl` and sends a POST head with Content-Length 100 and 6 bytes of body. */
export async function stalledRequest(baseUrl: string, path = "/health"): Promise<StalledRequest> {
  const { hostname, port } = new URL(baseUrl);
  let closed = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((resolve) => (resolveClosed = resolve));
  const onClose = () => {
    closed = true;
    resolveClosed();
  };
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: { data() {}, close: onClose, error: onClose, end: onClose },
  });
  socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"sql"`);
  return { closed: closedPromise, isClosed: () => closed, end: () => socket.end() };
}

/** Opens `count` stalled requests, a few at a time; those the server cannot take yet wait in its accept queue. */
export async function stalledRequests(baseUrl: string, count: number, path = "/health"): Promise<StalledRequest[]> {
  const opened: StalledRequest[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(50, count - i) }, () => stalledRequest(baseUrl, path)));
    for (const result of batch) if (result.status === "fulfilled") opened.push(result.value);
  }
  return opened;
}
