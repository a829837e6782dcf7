// Refusals of the SQL surface, as ConnectErrors the services pass on to their clients.
import { Code, ConnectError } from "@connectrpc/connect";

/** A refusal: a plain ConnectError (connect-es recognizes no subclass of it as a ConnectError). */
export function refused(reason: string, code: Code = Code.PermissionDenied): ConnectError {
  return new ConnectError(reason, code);
}

/** A ConnectError, by shape (`instanceof` is not reliable for errors that crossed Bun's async boundaries here). */
export function isConnectError(error: unknown): error is ConnectError {
  return error instanceof Error && typeof (error as Partial<ConnectError>).code === "number" && typeof (error as Partial<ConnectError>).rawMessage === "string";
}
