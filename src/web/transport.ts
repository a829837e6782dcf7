// The Connect transport of the page: same origin, optional bearer token (?token= in the page URL,
// kept in sessionStorage).
import { createConnectTransport } from "@connectrpc/connect-web";
import type { Interceptor, Transport } from "@connectrpc/connect";

export function pageToken(): string | null {
  const fromUrl = new URL(location.href).searchParams.get("token");
  if (fromUrl) sessionStorage.setItem("stellar-flow-token", fromUrl);
  return fromUrl ?? sessionStorage.getItem("stellar-flow-token");
}

export function pageTransport(): Transport {
  const token = pageToken();
  const auth: Interceptor = (next) => (request) => {
    if (token) request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
  return createConnectTransport({ baseUrl: location.origin, interceptors: [auth] });
}
