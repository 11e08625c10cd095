/**
 * HTTPS servers on 127.0.0.1 for tests, with the certificate of
 * `fixtures/tls/` (for 127.0.0.1, signed by the private CA `ca.pem` there):
 * one with a handler of the test's, and an https front for an http server
 * (a fake S3), as a store or service behind TLS.
 *
 * @module
 */

/** The folder of the test certificate (`cert.pem`, `key.pem`) and its CA (`ca.pem`). */
export const TLS_FIXTURES: URL = new URL("./fixtures/tls/", import.meta.url);

/**
 * An HTTPS server on 127.0.0.1 (any free port) answering with `handler`,
 * its certificate the test one; dispose it (`await using`) to stop it.
 *
 * @example
 * ```ts
 * import { serveHttps } from "./https_test_server.ts";
 * await using server = serveHttps(() => new Response("ok"));
 * if (!(server.addr.port > 0)) throw new Error("a port");
 * ```
 */
export function serveHttps(
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Deno.HttpServer<Deno.NetAddr> {
  const read = (name: string) => Deno.readTextFileSync(new URL(name, TLS_FIXTURES));
  return Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: read("cert.pem"),
    key: read("key.pem"),
    onListen() {},
  }, handler);
}

/**
 * An HTTPS front for the http server at `url` (a fake S3): each request is
 * sent on there, with its Host, so signatures cannot be checked behind it
 * (start the fake S3 with `credentials: false`).
 *
 * @example
 * ```ts
 * import { httpsFront } from "./https_test_server.ts";
 * await using front = httpsFront("http://127.0.0.1:9");
 * if (!(front.addr.port > 0)) throw new Error("a port");
 * ```
 */
export function httpsFront(url: string): Deno.HttpServer<Deno.NetAddr> {
  return serveHttps((req) => {
    const at = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.set("host", new URL(url).host);
    return fetch(`${url}${at.pathname}${at.search}`, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
  });
}
