// The bearer-token check shared by flowctl and the component servers: an exact match only (no
// prefix, no extension, no case folding), whatever the lengths (sameSecret's loop itself never
// stops early; timing is not measured here).
import { expect, test } from "bun:test";
import { bearerToken, sameSecret } from "../../src/flowctl/auth.ts";
import { requestToken, tokenRefusal } from "../../src/http/api-token.ts";

test("sameSecret: equal strings only", () => {
  const secret = "s3cret-t0ken";
  expect(sameSecret(secret, secret)).toBe(true);
  for (const other of ["", "s", "s3cret-t0ke", "s3cret-t0kenX", "S3cret-t0ken", "x3cret-t0ken", "s3cret-t0kex", "s3cret-t0ken\u0000", "s3crét-t0ken"]) {
    expect([other, sameSecret(other, secret)]).toEqual([other, false]);
  }
  expect(sameSecret("", "")).toBe(true);
  expect(sameSecret("a", "")).toBe(false);
});

test("bearerToken and requestToken: the header's token, else ?token=", () => {
  expect(bearerToken("Bearer abc")).toBe("abc");
  expect(bearerToken("bearer   abc ")).toBe("abc");
  expect(bearerToken("Basic abc")).toBeUndefined();
  expect(requestToken(new Request("http://h/x?token=q", { headers: { authorization: "Bearer h" } }))).toBe("h");
  expect(requestToken(new Request("http://h/x?token=q"))).toBe("q");
  expect(requestToken(new Request("http://h/x"))).toBeUndefined();
});

test("tokenRefusal: JSON 401 for routes, the RPC protocol's Unauthenticated for Connect paths", async () => {
  const route = tokenRefusal(new Request("http://h/health"), "t")!;
  expect([route.status, await route.json()]).toEqual([401, { error: "/health needs a token: an Authorization: Bearer header or ?token=" }]);
  const rpc = tokenRefusal(new Request("http://h/flowctl.v1.ControlPlaneService/ListServices", { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer wrong" } }), "t")!;
  expect([rpc.status, await rpc.json()]).toEqual([401, { code: "unauthenticated", message: "/flowctl.v1.ControlPlaneService/ListServices: the token is not valid" }]);
  expect(tokenRefusal(new Request("http://h/health?token=t"), "t")).toBeNull();
  expect(tokenRefusal(new Request("http://h/health"), null)).toBeNull();
});
