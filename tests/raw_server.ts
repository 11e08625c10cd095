/**
 * TCP servers for tests of misbehaving endpoints: one that hands each
 * connection to a handler, and one that accepts and never answers. Both bind
 * 127.0.0.1 and close every connection on dispose.
 *
 * @module
 */

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
