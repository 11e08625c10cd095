/**
 * A cap on the bodies of the answers the AWS SDK reads whole (ListMultipartUploads,
 * DeleteObjects, CompleteMultipartUpload, copies): the SDK collects a body
 * into memory before parsing it, so an endpoint answering one of them with
 * gigabytes (a broken or hostile server; a `vc mirror` pass listing open
 * uploads took 10 GB) took all memory. S3's answers to these are a few MiB
 * at most (1000 uploads or keys of up to 1024 bytes each).
 *
 * @module
 */
import { StoreError } from "../errors.ts";
import { deadline } from "../deadline.ts";

/** The largest body of an SDK answer read: as for a listing page (`s3_list.ts`). */
export const MAX_SDK_BODY_BYTES = 32 * 1024 * 1024;

/**
 * How many request timeouts an SDK answer's body may take to arrive in all
 * (30 min at the default 60 s). S3 keeps a CopyObject or
 * CompleteMultipartUpload answer alive with whitespace while it works, for
 * minutes, so no idle timeout ever fires and no byte rate holds: a server
 * trickling whitespace without end held a copy or an upload forever.
 */
export const SDK_BODY_TIMEOUTS = 30;

/** The part of an SDK client's middleware stack this uses. */
export interface SdkMiddlewareClient {
  middlewareStack: {
    addRelativeTo(
      middleware: never,
      options: { name: string; relation: "before" | "after"; toMiddleware: string },
    ): void;
  };
}

/**
 * Adds to `client` a middleware reading each answer's body (but
 * GetObject's, which vc streams) with a cap of `maxBytes`: over it, the read
 * stops and the command fails with a `StoreError` naming the command, before
 * the SDK's parser sees any of it; so does a body still arriving after
 * `maxMs` (0: no limit). It runs inside `relativeTo` (a middleware
 * of the deserialize step), so that one sees only capped bodies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capSdkResponseBodies } from "./sdk_body_cap.ts";
 * const added: unknown[] = [];
 * capSdkResponseBodies({ middlewareStack: { addRelativeTo: (m) => added.push(m) } }, "x", 10);
 * assert.equal(added.length, 1);
 * ```
 */
export function capSdkResponseBodies(
  client: SdkMiddlewareClient,
  relativeTo: string,
  maxBytes: number = MAX_SDK_BODY_BYTES,
  maxMs = 0,
): void {
  type Handler = (args: unknown) => Promise<{ response: unknown }>;
  const middleware =
    (next: Handler, context: { commandName?: string }): Handler => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: unknown };
      const body = response.body;
      if (
        context.commandName === "GetObjectCommand" || body === undefined || body === null ||
        body instanceof Uint8Array || typeof body === "string"
      ) {
        return result;
      }
      response.body = await readCapped(
        body as AsyncIterable<Uint8Array | string>,
        maxBytes,
        maxMs,
        context.commandName ?? "an S3 request",
      );
      return result;
    };
  client.middlewareStack.addRelativeTo(middleware as never, {
    name: "vcCapResponseBodies",
    relation: "after",
    toMiddleware: relativeTo,
  });
}

// Node's IncomingMessage (the SDK's default handler) and a web
// ReadableStream (the fetch handler) are both async iterables of chunks.
async function readCapped(
  body: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
  maxMs: number,
  command: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const iterator = body[Symbol.asyncIterator]();
  let late: Promise<never> | undefined;
  let cancelLate: (() => void) | undefined;
  if (maxMs > 0) {
    late = new Promise((_, reject) => {
      cancelLate = deadline(maxMs, () =>
        reject(
          new StoreError(
            `${command.replace(/Command$/, "")}: the answer's body was still arriving after ${
              Math.round(maxMs / 1000)
            } s (${SDK_BODY_TIMEOUTS} request timeouts): the endpoint is stalled or trickling bytes`,
          ),
        ));
    });
    late.catch(() => {});
  }
  try {
    for (;;) {
      const step = late === undefined ? await iterator.next() : await Promise.race([
        iterator.next(),
        late,
      ]);
      if (step.done) break;
      const chunk = typeof step.value === "string"
        ? new TextEncoder().encode(step.value)
        : step.value;
      total += chunk.length;
      if (total > maxBytes) {
        throw new StoreError(
          `${command.replace(/Command$/, "")}: the answer's body is over ${
            maxBytes / 1024 / 1024
          } MiB, more than S3 ever sends for it: the endpoint is not answering as S3 does`,
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    // Stops the transfer (closes the connection) instead of draining it. Not
    // awaited: a stream's return waits for the read still pending (a server
    // trickling bytes answers it only with its next byte).
    iterator.return?.().catch(() => {});
    throw error;
  } finally {
    cancelLate?.();
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
