/**
 * A proxy that wants credentials it is never given: it answers every request
 * (a CONNECT or a forwarded one) 407, so nothing goes further, and logs each
 * request line.
 *
 * @module
 */
import { type RawServer, rawServer, readHead } from "./raw_server.ts";

/**
 * Starts the proxy on 127.0.0.1, port 0: each request's first line is pushed
 * onto `log` and answered `407 Proxy Authentication Required`.
 */
export function startAuthProxy(log: string[]): RawServer {
  return rawServer(async (conn) => {
    try {
      const head = await readHead(conn);
      if (!head.includes("\r\n\r\n")) return; // the client went away mid-request
      log.push(head.split("\r\n")[0]!);
      await conn.write(
        new TextEncoder().encode(
          "HTTP/1.1 407 Proxy Authentication Required\r\n" +
            'Proxy-Authenticate: Basic realm="corp"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n',
        ),
      );
    } finally {
      conn.close();
    }
  });
}
