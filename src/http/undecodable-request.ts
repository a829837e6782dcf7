// connect-es answers a binary (protobuf) request body that does not decode with Internal (HTTP 500),
// as if the server had failed. The client sent it, so before handing a request to connect-es we
// decode binary messages once ourselves and answer InvalidArgument, in the shape of the request's
// protocol: Connect unary, Connect streaming or gRPC-Web. JSON and compressed bodies are left to
// connect-es, which already answers them with a 4xx code; a body past the size limit is read no
// further and answers ResourceExhausted, as connect-es would.
// Reading the whole body first suits unary and server-streaming methods (all of flowctl's); a
// client-streaming method would need the check frame by frame.
import { fromBinary, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { encodeEnvelope } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  endStreamFlag,
  endStreamToJson,
  errorToJson,
  parseContentType as parseConnectContentType,
} from "@connectrpc/connect/protocol-connect";
import { parseContentType as parseGrpcWebContentType, setTrailerStatus } from "@connectrpc/connect/protocol-grpc-web";
import { messageOf } from "../common/message-of.ts";

type Framing = "connect-unary" | "connect-stream" | "grpc-web";

const COMPRESSED_FLAG = 0b01;

function framingOf(request: Request): Framing | null {
  const contentType = request.headers.get("content-type");
  const connect = parseConnectContentType(contentType);
  if (connect?.binary) return connect.stream ? "connect-stream" : "connect-unary";
  const grpcWeb = parseGrpcWebContentType(contentType);
  if (grpcWeb?.binary && !grpcWeb.text) return "grpc-web";
  return null;
}

/** The plain messages an enveloped body starts with, up to a compressed or cut-short frame (connect-es judges those). */
function envelopedMessages(body: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let offset = 0; offset + 5 <= body.byteLength; ) {
    const flags = body[offset]!;
    const length = view.getUint32(offset + 1);
    if (flags & COMPRESSED_FLAG || offset + 5 + length > body.byteLength) break;
    messages.push(body.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return messages;
}

/** The whole body, or null (and the rest left unread) once it passes `limit` bytes. */
export async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * `error` as the response of the request's protocol (Connect unary or streaming, gRPC-Web; binary or
 * JSON), for refusing a request before connect-es sees it.
 */
export function rpcErrorResponse(request: Request, error: ConnectError): Response {
  return tagged(untaggedRpcErrorResponse(request, error), error);
}

/** The code of each refusal made here, for the RPC metrics. */
const refusalCodes = new WeakMap<Response, Code>();

function tagged(response: Response, error: ConnectError): Response {
  refusalCodes.set(response, error.code);
  return response;
}

/** The code a response made by rpcErrorResponse (or a refusal below) carries; undefined for any other. */
export function refusalCodeOf(response: Response): Code | undefined {
  return refusalCodes.get(response);
}

function untaggedRpcErrorResponse(request: Request, error: ConnectError): Response {
  const contentType = request.headers.get("content-type");
  const connect = parseConnectContentType(contentType);
  if (connect?.stream) {
    const endStream = new TextEncoder().encode(JSON.stringify(endStreamToJson(error.metadata, error, {})));
    return new Response(encodeEnvelope(endStreamFlag, endStream), { status: 200, headers: { "content-type": contentType! } });
  }
  const grpcWeb = parseGrpcWebContentType(contentType);
  if (grpcWeb && !grpcWeb.text) {
    const headers = new Headers({ "content-type": contentType! });
    setTrailerStatus(headers, error);
    return new Response(null, { status: 200, headers });
  }
  return errorResponse("connect-unary", error); // Connect unary, GET included: a JSON error with its HTTP status
}

function errorResponse(framing: Framing, error: ConnectError): Response {
  return tagged(untaggedErrorResponse(framing, error), error);
}

function untaggedErrorResponse(framing: Framing, error: ConnectError): Response {
  switch (framing) {
    case "connect-unary":
      return new Response(JSON.stringify(errorToJson(error, {})), { status: codeToHttpStatus(error.code), headers: { "content-type": "application/json" } });
    case "connect-stream": {
      const endStream = new TextEncoder().encode(JSON.stringify(endStreamToJson(error.metadata, error, {})));
      return new Response(encodeEnvelope(endStreamFlag, endStream), { status: 200, headers: { "content-type": "application/connect+proto" } });
    }
    case "grpc-web": {
      // a trailers-only response: the status travels in the headers
      const headers = new Headers({ "content-type": "application/grpc-web+proto" });
      setTrailerStatus(headers, error);
      return new Response(null, { status: 200, headers });
    }
  }
}

/**
 * `request` with its whole body read into memory (at most `maxBytes`), or the ResourceExhausted
 * response of its protocol. Once it returns, the client has sent everything it will send.
 */
export async function bufferedRequest(request: Request, maxBytes: number): Promise<Request | Response> {
  if (request.body === null) return request;
  const body = await readAtMost(request.body, maxBytes + 5);
  if (body === null) return rpcErrorResponse(request, new ConnectError(`request: more than ${maxBytes} bytes`, Code.ResourceExhausted));
  return new Request(request, { body });
}

/**
 * The request to hand to connect-es (its body read once and put back), or the InvalidArgument
 * response when a binary message in it does not decode as the method's input.
 */
export async function checkBinaryRequest(request: Request, method: DescMethod, maxBytes: number): Promise<Request | Response> {
  const framing = framingOf(request);
  if (framing === null || request.body === null) return request;
  if (request.headers.has("content-encoding") || request.headers.has("connect-content-encoding")) return request;
  // one message, plus the 5-byte frame header of the enveloped protocols
  const limit = framing === "connect-unary" ? maxBytes : maxBytes + 5;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return request; // connect-es refuses it from the header, without reading it
  const body = await readAtMost(request.body, limit);
  if (body === null) return errorResponse(framing, new ConnectError(`request: more than ${maxBytes} bytes`, Code.ResourceExhausted));
  const again = new Request(request, { body });
  const messages = framing === "connect-unary" ? [body] : envelopedMessages(body);
  // the last envelope of a Connect or gRPC-Web request body is a message too: neither sends end frames upstream
  for (const message of messages) {
    try {
      fromBinary(method.input, message);
    } catch (error) {
      const problem = messageOf(error);
      return errorResponse(framing, new ConnectError(`request: not a ${method.input.typeName} in protobuf binary (${problem})`, Code.InvalidArgument));
    }
  }
  return again;
}
