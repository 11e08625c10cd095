/**
 * The AWS SDK's own retries (the control requests `S3Store` sends through
 * it: multipart create / complete / abort, copies, batch deletes), told to
 * the store retry listener as the lean path's are (see retry_notice.ts): a
 * CompleteMultipartUpload to a store that never answers otherwise waits
 * out every attempt's timeout without a word.
 *
 * @module
 */
import { storeRetried } from "./retry_notice.ts";
import { redactSecrets } from "../redact.ts";
import type { SdkMiddlewareClient } from "./sdk_body_cap.ts";

// What the SDK's retry middleware asks of a strategy (RetryStrategyV2).
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { error: unknown }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/** The parts of an SDK client this uses: its middleware stack and its retry strategy. */
export interface SdkRetryClient extends SdkMiddlewareClient {
  /** The client's resolved configuration. */
  config: { retryStrategy: () => Promise<unknown> };
}

/**
 * Makes `client` tell {@linkcode storeRetried} of each retry its retry
 * middleware is about to make, naming the operation and object
 * (`CompleteMultipartUpload s3://b/k failed: 503 SlowDown: …`); `maxAttempts`
 * is the client's, and `secrets` (the credentials' secret key and session
 * token) are starred in what the notice repeats of the server's answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noticeSdkRetries } from "./sdk_retry_notice.ts";
 * const added: unknown[] = [];
 * const strategy = { mode: "standard" };
 * const client = {
 *   middlewareStack: { addRelativeTo: (m: unknown) => added.push(m) },
 *   config: { retryStrategy: () => Promise.resolve(strategy) },
 * };
 * noticeSdkRetries(client, 5);
 * assert.equal(added.length, 1);
 * assert.equal(await client.config.retryStrategy(), strategy); // not one it knows: as it was
 * ```
 */
export function noticeSdkRetries(
  client: SdkRetryClient,
  maxAttempts: number,
  secrets: () => Iterable<string | undefined> = () => [],
): void {
  const named = new WeakMap<object, string>();
  type Handler = (args: { input?: unknown }) => Promise<unknown>;
  // Inside the retry loop: sees each attempt's error, and which request it was.
  const middleware =
    (next: Handler, context: { commandName?: string }): Handler => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === "object" && error !== null) {
          const input = (args.input ?? {}) as { Bucket?: unknown; Key?: unknown };
          const operation = (context.commandName ?? "request").replace(/Command$/, "");
          const key = typeof input.Key === "string" ? input.Key : "";
          named.set(error, `${operation} s3://${String(input.Bucket ?? "")}/${key}`);
        }
        throw error;
      }
    };
  client.middlewareStack.addRelativeTo(middleware as never, {
    name: "vcRetryNotice",
    relation: "after",
    toMiddleware: "retryMiddleware",
  });
  const config = client.config;
  const original = config.retryStrategy;
  let wrapped: Promise<unknown> | undefined;
  config.retryStrategy = () =>
    wrapped ??= original.call(config).then((strategy) =>
      isV2(strategy) ? told(strategy, named, maxAttempts, secrets) : strategy
    );
}

function isV2(strategy: unknown): strategy is RetryStrategy {
  const s = strategy as Partial<RetryStrategy> | undefined;
  return typeof s?.acquireInitialRetryToken === "function" &&
    typeof s.refreshRetryTokenForRetry === "function" && typeof s.recordSuccess === "function";
}

function told(
  inner: RetryStrategy,
  named: WeakMap<object, string>,
  maxAttempts: number,
  secrets: () => Iterable<string | undefined>,
): RetryStrategy {
  return {
    acquireInitialRetryToken: (scope) => inner.acquireInitialRetryToken(scope),
    recordSuccess: (token) => inner.recordSuccess(token),
    refreshRetryTokenForRetry: async (token, info) => {
      // Throws when it gives up: then nothing is retried, and nothing told.
      const next = await inner.refreshRetryTokenForRetry(token, info);
      const error = info.error;
      storeRetried({
        // A server echoing the request (its session token) is not repeated.
        reason: redactSecrets(
          `${named.get(error as object) ?? "request"}${failure(error)}`,
          secrets(),
        ),
        error,
        attempt: next.getRetryCount(),
        maxAttempts,
        delayMs: next.getRetryDelay(),
      });
      return next;
    },
  };
}

// As the lean path's errors say it: ` failed: 503 SlowDown: Please reduce …`.
function failure(error: unknown): string {
  const e = error as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status = e?.$metadata?.httpStatusCode;
  const name = typeof e?.name === "string" ? e.name : "Error";
  const message = typeof e?.message === "string" && e.message !== "" ? `: ${e.message}` : "";
  return typeof status === "number"
    ? ` failed: ${status} ${name}${message}`
    : `: ${name}${message}`;
}
