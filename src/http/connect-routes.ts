// Mounts a Connect router's handlers on a Hono app: Connect and gRPC-Web, JSON and binary, over
// fetch Request/Response (plain gRPC needs HTTP trailers, which a fetch Response lacks).
import { createConnectRouter, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import type { Hono } from "hono";
import { checkBinaryRequest } from "./undecodable-request.ts";

export function mountConnect(app: Hono, routes: (router: ConnectRouter) => void, options: ConnectRouterOptions = {}): void {
  const router = createConnectRouter({ ...options, grpc: false });
  routes(router);
  for (const handler of router.handlers) {
    const fetchHandler = createFetchHandler(handler);
    const maxBytes = options.readMaxBytes ?? Number.MAX_SAFE_INTEGER;
    app.on(handler.allowedMethods, handler.requestPath, async (c) => {
      const checked = await checkBinaryRequest(c.req.raw, handler.method, maxBytes);
      return checked instanceof Response ? checked : fetchHandler(checked);
    });
  }
}
