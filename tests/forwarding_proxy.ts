/**
 * A reverse proxy in front of a test's store, for stores and gateways that
 * behave unlike S3: `answer` may answer a request itself (or change its URL)
 * before the rest is forwarded to `upstream` as it came.
 */

/**
 * Starts the proxy on 127.0.0.1, port 0. `answer(req, url)` returns a
 * response to send instead of forwarding, or undefined to forward (to `url`,
 * which it may change). A HEAD's answer carries no body.
 */
export function startForwardingProxy(
  upstream: string,
  answer: (req: Request, url: URL) => Response | undefined = () => undefined,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    const own = answer(req, url);
    if (own !== undefined) return own;
    const res = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
    return new Response(req.method === "HEAD" ? null : res.body, {
      status: res.status,
      headers: res.headers,
    });
  });
}

/**
 * The environment of a `vc` process whose S3 requests go through `proxy`
 * to the fake store `storeEnv` is the environment of (its credentials and
 * region): every endpoint variable names the proxy, path-style addressing.
 */
export function proxiedS3Env(
  storeEnv: Readonly<Record<string, string>>,
  proxy: Deno.HttpServer<Deno.NetAddr>,
): Record<string, string> {
  const endpoint = `http://127.0.0.1:${proxy.addr.port}`;
  return {
    ...storeEnv,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    VC_S3_PATH_STYLE: "1",
  };
}
