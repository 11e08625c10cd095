// A corporate machine sets HTTP_PROXY / HTTPS_PROXY for everything and
// NO_PROXY for its own hosts (the MinIO on the LAN). Any proxy variable
// turned vc's own HTTP/1.1 client off for every store, also one that NO_PROXY
// names or an http store when only HTTPS_PROXY is set: every small GET went
// through fetch (2–3× the CPU of a GET over vc's client, see README), though
// fetch too sent it straight to the store. The choice is now made per store
// as fetch makes it (`proxyApplies`), and a store the proxy applies to still
// goes through it.
import { S3Store } from "../src/store/s3.ts";
import { proxyApplies } from "../src/store/http1_client.ts";
import { assert, assertEquals } from "./assert.ts";

const VARS = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** Runs `fn` with exactly `env` of the proxy variables set, then puts them back. */
async function withProxyEnv(env: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = new Map(VARS.map((v) => [v, Deno.env.get(v)]));
  try {
    for (const v of VARS) Deno.env.delete(v);
    for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
    await fn();
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
}

/**
 * A store server that answers every GET "hi", and a forward proxy that
 * answers the same; each notes who sent what (fetch sends `user-agent: Deno/…`,
 * vc's HTTP/1.1 client sends none).
 */
async function withServers(
  fn: (store: string, proxy: string, seen: string[]) => Promise<void>,
): Promise<void> {
  const seen: string[] = [];
  await using store = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(`store ${req.headers.get("user-agent") === null ? "lean" : "fetch"}`);
    return new Response("hi", { headers: { etag: '"49f68a5c8493ec2c0bf489821c21fc3b"' } });
  });
  // It answers for the store itself: its own fetch would go through it again.
  await using proxy = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(`proxy ${new URL(req.url).pathname}`);
    return new Response("hi", { headers: { etag: '"49f68a5c8493ec2c0bf489821c21fc3b"' } });
  });
  await fn(`http://127.0.0.1:${store.addr.port}`, `http://127.0.0.1:${proxy.addr.port}`, seen);
}

async function getOnce(endpoint: string): Promise<void> {
  const store = new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
  });
  try {
    const r = await store.get("k");
    const bytes = r.bytes ?? new Uint8Array(await new Response(r.body).arrayBuffer());
    assertEquals(new TextDecoder().decode(bytes), "hi");
  } finally {
    await store.close();
  }
}

Deno.test("a store NO_PROXY names is read over vc's own HTTP/1.1 client, not fetch", async () => {
  await withServers(async (endpoint, proxy, seen) => {
    await withProxyEnv({ HTTP_PROXY: proxy, NO_PROXY: "localhost,127.0.0.1" }, async () => {
      assertEquals(proxyApplies(endpoint), false);
      await getOnce(endpoint);
    });
    assertEquals(seen, ["store lean"]);
  });
});

Deno.test("an http store with only HTTPS_PROXY set is read over vc's own HTTP/1.1 client", async () => {
  await withServers(async (endpoint, proxy, seen) => {
    await withProxyEnv({ HTTPS_PROXY: proxy }, async () => {
      await getOnce(endpoint);
    });
    assertEquals(seen, ["store lean"]);
  });
});

Deno.test("a store the proxy applies to still goes through it (fetch)", async () => {
  await withServers(async (endpoint, proxy, seen) => {
    await withProxyEnv({ http_proxy: proxy, NO_PROXY: "example.com" }, async () => {
      assert(proxyApplies(endpoint));
      await getOnce(endpoint);
    });
    assertEquals(seen, ["proxy /b/k"]);
  });
});

Deno.test("proxyApplies follows Deno: a blank NO_PROXY hides no_proxy, a blank HTTP_PROXY does not", async () => {
  await withProxyEnv({ HTTP_PROXY: "http://p:1", NO_PROXY: "", no_proxy: "s.test" }, () => {
    assert(proxyApplies("http://s.test:9000"), "Deno reads no_proxy only when NO_PROXY is unset");
    return Promise.resolve();
  });
  await withProxyEnv({ HTTP_PROXY: "", http_proxy: "http://p:1" }, () => {
    assert(proxyApplies("http://s.test:9000"));
    assert(!proxyApplies("https://s.test:9000"), "HTTP_PROXY is not for https");
    return Promise.resolve();
  });
});
