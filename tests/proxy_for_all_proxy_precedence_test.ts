// Deno's fetch takes ALL_PROXY (else all_proxy) before HTTPS_PROXY /
// HTTP_PROXY when both are set (measured: a CONNECT and a plain GET each went
// to ALL_PROXY's proxy). `proxyFor` took the scheme's variable first, so with
// both set (a SOCKS `all_proxy` beside an `http_proxy`, as proxy clients set
// them) an unreachable store's error and a 407's "give its user and password
// in the proxy URL" named the proxy and variable the request did not go
// through. Checked here against fetch itself, in a child process that sees
// only the variables given.
import { assertEquals } from "./assert.ts";
import { DENO_DIR } from "./cli_process.ts";

const CHILD = `
import { proxyFor } from ${
  JSON.stringify(new URL("../src/store/http1_client.ts", import.meta.url).href)
};
const target = Deno.args[0];
let used = "none";
try {
  used = await (await fetch(target)).text();
} catch { /* no proxy took it: the name does not resolve */ }
console.log(JSON.stringify({ used, vc: proxyFor(target)?.variable ?? "none" }));
`;

async function choice(env: Record<string, string>, target: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", CHILD, target],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`child failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text) as { used: string; vc: string };
}

Deno.test("proxyFor names the proxy fetch uses when ALL_PROXY and HTTP_PROXY are both set", async () => {
  const serve = (name: string) =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response(name));
  await using all = serve("ALL_PROXY");
  await using http = serve("HTTP_PROXY");
  const home = Deno.env.get("HOME") ?? "/";
  const base = { PATH: Deno.env.get("PATH") ?? "", HOME: home, DENO_DIR, NO_COLOR: "1" };
  const target = "http://store.vc-test.invalid:9000/b/k";
  for (const [allVar, httpVar] of [["ALL_PROXY", "HTTP_PROXY"], ["all_proxy", "http_proxy"]]) {
    const got = await choice({
      ...base,
      [allVar!]: `http://127.0.0.1:${all.addr.port}`,
      [httpVar!]: `http://127.0.0.1:${http.addr.port}`,
    }, target);
    assertEquals(got, { used: "ALL_PROXY", vc: allVar });
  }
  // Only the scheme's variable: that one, as before.
  const only = await choice({ ...base, HTTP_PROXY: `http://127.0.0.1:${http.addr.port}` }, target);
  assertEquals(only, { used: "HTTP_PROXY", vc: "HTTP_PROXY" });
});
