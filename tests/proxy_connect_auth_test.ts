// An https store behind a proxy that wants credentials (HTTPS_PROXY without
// user:password, or a wrong password): the proxy answers the CONNECT with
// 407. An http store's 407 (the proxy's answer to the forwarded request) was
// already said as the proxy's refusal, once; the CONNECT's 407 came back as
// fetch's "client error (Connect): proxy authentication required", a store
// failure sent again 5 times with backoff (also by `vc mirror`'s LIST), and
// the line never said what to fix.
import { join } from "node:path";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { startAuthProxy } from "./auth_proxy.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { s3NetworkError } from "../src/store/s3_errors.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { isTransientError } from "../src/store/retry.ts";
import { closedPort } from "./closed_port.ts";

const PASSWORD = "wrong-proxy-pass-42";

Deno.test("a CONNECT answered 407 is the proxy's refusal: not retried, names the proxy and the fix", async () => {
  const log: string[] = [];
  await using proxy = startAuthProxy(log);
  const dir = await Deno.makeTempDir({ prefix: "vc_proxy_connect_auth_" });
  try {
    await Deno.mkdir(join(dir, "home"));
    const env = childEnv(dir, {
      ...testAwsEnv(`https://localhost:${closedPort()}`),
      VC_S3_PATH_STYLE: "1",
      HTTPS_PROXY: `http://alice:${PASSWORD}@127.0.0.1:${proxy.port}`,
    });
    const out = await vcCommand(dir, env, ["cache", "get", "s3://b/k.txt"]).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertStringIncludes(
      stderr,
      `the proxy http://alice:***@127.0.0.1:${proxy.port} (from HTTPS_PROXY) refused the request ` +
        "(407 Proxy Authentication Required): give its user and password in the proxy URL",
    );
    assert(!stderr.includes(PASSWORD), stderr);
    assert(!stderr.includes("trying again"), stderr);
    assertEquals(stderr.trim().split("\n").length, 1, stderr);
    assertEquals(log, [`CONNECT localhost:${env.AWS_ENDPOINT_URL!.split(":").at(-1)} HTTP/1.1`]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("s3NetworkError: fetch's CONNECT 407 is an AccessDeniedError that is not retried", () => {
  const saved = Deno.env.get("HTTPS_PROXY");
  Deno.env.set("HTTPS_PROXY", "http://bob:s3cret@proxy.test:3128");
  try {
    const e = s3NetworkError(
      new TypeError("fetch failed", {
        cause: new Error(
          "error sending request for url (https://store.test/b/k): client error (Connect): " +
            "proxy authentication required",
        ),
      }),
      {
        operation: "GET",
        uri: "s3://b/k",
        bucket: "b",
        endpoint: "https://store.test",
        region: "us-east-1",
        credentialSource: "options",
      },
    );
    assert(e instanceof AccessDeniedError, e.message);
    assertStringIncludes(e.message, "the proxy http://bob:***@proxy.test:3128 (from HTTPS_PROXY)");
    assert(!isTransientError(e), "a refusal for want of credentials is no transient failure");
  } finally {
    if (saved === undefined) Deno.env.delete("HTTPS_PROXY");
    else Deno.env.set("HTTPS_PROXY", saved);
  }
});

for (const scheme of ["http", "https"] as const) {
  Deno.test(`vc cache-client behind a proxy that answers 407 (${scheme} service): the proxy's refusal, once`, async () => {
    const log: string[] = [];
    await using proxy = startAuthProxy(log);
    const dir = await Deno.makeTempDir({ prefix: "vc_proxy_connect_auth_" });
    try {
      await Deno.mkdir(join(dir, "home"));
      const variable = scheme === "https" ? "HTTPS_PROXY" : "HTTP_PROXY";
      const env = childEnv(dir, {
        VC_CACHE_URL: `${scheme}://localhost:${closedPort()}/cache`,
        VC_CACHE_TOKEN: "t",
        [variable]: `http://alice:${PASSWORD}@127.0.0.1:${proxy.port}`,
      });
      const id = "a".repeat(128);
      const out = await vcCommand(dir, env, ["cache-client", "get", id, join(dir, "out")])
        .output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 1, stderr);
      assertStringIncludes(
        stderr,
        `the proxy http://alice:***@127.0.0.1:${proxy.port} (from ${variable}) refused the ` +
          "request (407 Proxy Authentication Required): give its user and password in the proxy URL",
      );
      assert(!stderr.includes(PASSWORD), stderr);
      assertEquals(stderr.trim().split("\n").length, 1, stderr);
      assertEquals(log.length, 1, log.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
