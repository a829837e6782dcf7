// How the edge API answers what went wrong: a status (HTTP) or code (Connect) per kind, and a body
// naming the ledger and the object.
import { Code, ConnectError } from "@connectrpc/connect";
import { LakeError, type LakeErrorKind } from "../lib/lake-error.ts";
import { messageOf } from "../common/message-of.ts";
import { ConfigError } from "./edge-config.ts";
import { RangeRefusal } from "./ledger-range.ts";

const STATUS: Record<LakeErrorKind, number> = {
  "not-found": 404,
  unreachable: 502,
  corrupt: 502,
  tampered: 502,
  "wrong-network": 409,
  unsupported: 501,
};

const CODE: Record<LakeErrorKind, Code> = {
  "not-found": Code.NotFound,
  unreachable: Code.Unavailable,
  corrupt: Code.DataLoss,
  tampered: Code.DataLoss,
  "wrong-network": Code.FailedPrecondition,
  unsupported: Code.Unimplemented,
};

export interface ErrorBody {
  readonly error: string;
  readonly ledger?: number;
  readonly object?: string;
}

export function errorStatus(error: unknown): number {
  if (error instanceof LakeError) return STATUS[error.kind];
  if (error instanceof RangeRefusal) return 400;
  return 500;
}

export function errorBody(error: unknown): ErrorBody {
  const message = error instanceof ConfigError ? `the edge API is misconfigured: ${error.message}` : messageOf(error);
  if (!(error instanceof LakeError)) return { error: message };
  return { error: message, ...(error.ledger !== null ? { ledger: error.ledger } : {}), ...(error.object !== null ? { object: error.object } : {}) };
}

export function errorResponse(error: unknown): Response {
  return Response.json(errorBody(error), { status: errorStatus(error), headers: { "cache-control": "no-store" } });
}

export function connectErrorOf(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const message = errorBody(error).error;
  if (error instanceof LakeError) return new ConnectError(message, CODE[error.kind], undefined, undefined, error);
  if (error instanceof RangeRefusal) return new ConnectError(message, error.reason === "too-long" ? Code.OutOfRange : Code.InvalidArgument);
  return new ConnectError(message, Code.Internal, undefined, undefined, error);
}
