/**
 * A port on 127.0.0.1 that nothing listens on: bound at port 0 and closed
 * again, so a connection to it is refused at once. Shared by the tests of
 * an unreachable store, proxy or catalog server.
 *
 * @module
 */

/**
 * The number of a loopback port just closed: for a store, proxy or server
 * address that refuses every connection.
 *
 * @example
 * ```ts
 * import { closedPort } from "./closed_port.ts";
 * const port = closedPort();
 * if (!(port > 0)) throw new Error("a port number");
 * ```
 */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
