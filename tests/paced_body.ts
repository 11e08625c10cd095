/**
 * Slow bodies without real time: a raw test server sends a body piece by
 * piece, and moves the store's ManualClock on between pieces only once the
 * client has taken in every byte sent so far and is waiting for more. The clock then runs at the
 * client's pace, not the server's: a loaded machine (a client that reads
 * late) never sees more time pass per byte than the test says, and a server
 * that fills socket buffers ahead of the client does not run the clock
 * ahead of what the client got.
 *
 * The client side is counted where the store reads the network: the sockets
 * of its HTTP/1.1 client (`Deno.connect`), or the bodies of `fetch`'s
 * responses. Both are patched for the test's time only (dispose restores
 * them), so the store's own code runs unchanged. One body at a time: the
 * counts are the client's and the server's totals.
 *
 * @module
 */
import type { ManualClock } from "../src/testing/mod.ts";

/** Counts what the store's client has received; see {@linkcode pacedBodies}. */
export interface PacedBodies extends Disposable {
  /**
   * Waits until the client has taken in every byte sent so far and waits
   * for more, moves the clock `ms` on, then writes `bytes` to `conn`.
   * Returns false (sending nothing) once the client has dropped `conn`.
   */
  send(conn: Deno.Conn, bytes: Uint8Array, ms: number): Promise<boolean>;
  /**
   * Writes a response head to `conn` (counted for an HTTP/1.1 client, which
   * reads it from the same socket; fetch's count starts at the body).
   */
  head(conn: Deno.Conn, text: string): Promise<void>;
}

/**
 * Patches the client side (`http1`: `Deno.connect`; else `fetch`) to count
 * the response bytes it takes in, and gives the server side its pacing.
 */
export function pacedBodies(clock: ManualClock, http1: boolean): PacedBodies {
  let received = 0;
  let sent = 0;
  // Reads of the client's waiting for the network now.
  let reading = 0;
  // Whether the client dropped each server connection (its read ends).
  const gone = new WeakMap<Deno.Conn, Promise<void>>();
  const waiting = new Set<() => void>();
  const moved = () => {
    for (const wake of waiting) wake();
    waiting.clear();
  };
  const realConnect = Deno.connect;
  const realFetch = globalThis.fetch;
  if (http1) {
    // deno-lint-ignore no-explicit-any
    (Deno as any).connect = async (...args: Parameters<typeof Deno.connect>) => {
      const tcp = await realConnect(...args);
      return new Proxy(tcp, {
        get(target, key) {
          if (key === "read") {
            return async (p: Uint8Array) => {
              reading++;
              moved();
              try {
                const n = await target.read(p);
                if (n !== null) received += n;
                return n;
              } finally {
                reading--;
                moved();
              }
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
  } else {
    globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
      const res = await realFetch(...args);
      if (res.body === null) return res;
      const source = res.body.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          // Called only while the client waits on a read (no read-ahead: highWaterMark 0).
          reading++;
          moved();
          try {
            const { value, done } = await source.read();
            if (done) controller.close();
            else {
              received += value.length;
              controller.enqueue(value);
            }
          } finally {
            reading--;
            moved();
          }
        },
        cancel: (reason) => source.cancel(reason),
      }, { highWaterMark: 0 });
      return new Response(body, { status: res.status, headers: res.headers });
    };
  }
  const goneOf = (conn: Deno.Conn) => {
    let p = gone.get(conn);
    if (p === undefined) {
      // The client sends nothing after its request: a read ends only when it drops the connection.
      // What the client has not taken in by then it never will.
      p = conn.read(new Uint8Array(1)).then(() => {}, () => {}).then(() => {
        sent = received;
        moved();
      });
      gone.set(conn, p);
    }
    return p;
  };
  const write = async (conn: Deno.Conn, bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  return {
    async head(conn, text) {
      const bytes = new TextEncoder().encode(text);
      await write(conn, bytes);
      if (http1) sent += bytes.length;
    },
    async send(conn, bytes, ms) {
      const dropped = goneOf(conn);
      let isGone = false;
      dropped.then(() => isGone = true);
      // The gap is time the client spends waiting: it has all sent so far and reads on.
      while (!(received >= sent && reading > 0) && !isGone) {
        await Promise.race([new Promise<void>((resolve) => waiting.add(resolve)), dropped]);
      }
      if (isGone) return false;
      await clock.advance(ms);
      try {
        await write(conn, bytes);
      } catch {
        return false;
      }
      sent += bytes.length;
      return true;
    },
    [Symbol.dispose]() {
      // deno-lint-ignore no-explicit-any
      (Deno as any).connect = realConnect;
      globalThis.fetch = realFetch;
    },
  };
}
