/**
 * TCP servers for tests of misbehaving endpoints: one that hands each
 * connection to a handler, and one that accepts and never answers. Both bind
 * 127.0.0.1 and close every connection on dispose.
 *
 * @module
 */
import { S3Store, type S3StoreOptions } from "../src/store/s3.ts";

/** A server from {@linkcode rawServer}. */
export interface RawServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Connections accepted so far. */
  accepted(): number;
}

/**
 * A TCP server on 127.0.0.1 (`port` 0: any free one) that hands each
 * connection to `onConnection` and closes everything on dispose.
 */
export function rawServer(
  onConnection: (conn: Deno.Conn) => Promise<void>,
  port = 0,
): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const conns = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  let accepted = 0;
  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.add(conn);
      handlers.push(onConnection(conn).catch(() => {}));
    }
  })().catch(() => {});
  const actual = (listener.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    accepted: () => accepted,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // Closed by the handler already.
        }
      }
      await loop;
      await Promise.all(handlers);
    },
  };
}

/** Accepts connections on `port` (0: any) and never answers (an endpoint that hangs). */
export function silentServer(port = 0): RawServer {
  return rawServer(() => Promise.resolve(), port);
}

/** Reads one request's head (up to the blank line) from `conn`. */
export async function readHead(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

/** `promise`, or a rejection once `ms` pass: a test fails instead of hanging. */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An S3Store of bucket `b` at `endpoint` (a misbehaving server's), with test
 * credentials, a short request timeout and one retry, so that what the
 * server does wrong shows within a test's time.
 */
export function storeAt(
  endpoint: string,
  requestTimeoutMs: number,
  extra: Partial<S3StoreOptions> = {},
): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestTimeoutMs,
    maxAttempts: 2,
    ...extra,
  });
}
