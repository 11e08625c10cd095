/**
 * A service URL with a pasted space at an end (`VC_CACHE_URL="http://h:8080 "`)
 * passed the client's check, since URL parsing drops it, but routes were
 * appended to the text: every request failed as "cannot reach the cache
 * service at http://h:8080 : Invalid URL", sending the user after the network.
 * It is trimmed now, as an `AWS_ENDPOINT_URL` is. A blank token
 * (`VC_CACHE_TOKEN=" "`) was sent as no Authorization header, and the
 * service's "missing Authorization header" (400) came after a round trip: it
 * is refused up front as the token.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

Deno.test("CacheClient: whitespace at an end of the URL is dropped before routes are appended", async () => {
  for (
    const url of [
      "http://127.0.0.1:9/base ",
      " http://127.0.0.1:9/base/\n",
      "http://127.0.0.1:9/base\t",
    ]
  ) {
    const seen: string[] = [];
    const fetchStub: typeof fetch = (input) => {
      seen.push(input instanceof Request ? input.url : String(input));
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    const client = new CacheClient({ url, token: "t", fetch: fetchStub, maxAttempts: 1 });
    await client.rm("a".repeat(128)).catch(() => {});
    assertEquals(seen, [`http://127.0.0.1:9/base/v1/cache/${"a".repeat(128)}`]);
  }
});

Deno.test("CacheClient: a blank token is refused as the token", () => {
  for (const token of [" ", "\t", "  \n"]) {
    const e = assertThrows(
      () => new CacheClient({ url: "http://127.0.0.1:9", token }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "the option token is blank");
  }
});

Deno.test("vc cache-client: a blank token fails before any request, naming --token or VC_CACHE_TOKEN", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const id = "a".repeat(128);
    const flag = memoryIo({ cwd: dir, env: { HOME: dir } });
    assertEquals(
      await runCli(["cache-client", "rm", id, "--url", "http://127.0.0.1:9", "--token", " "], flag),
      2,
    );
    assertStringIncludes(flag.stderr(), "--token: CacheClient: the option token is blank");

    const env = memoryIo({
      cwd: dir,
      env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:9 ", VC_CACHE_TOKEN: " " },
    });
    assertEquals(await runCli(["cache-client", "rm", id], env), 1);
    assertStringIncludes(env.stderr(), "VC_CACHE_TOKEN: CacheClient: the option token is blank");
    assert(!env.stderr().includes("cannot reach"), env.stderr());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache-client: a VC_CACHE_URL that is no service URL is refused naming the variable, as --url names the flag", async () => {
  // "cache service URL \" \" is not an http:// or https:// URL" named no
  // variable, where a bad VC_CACHE_TOKEN, VC_REPO or VC_SERVE_STORE names its own.
  const dir = await Deno.makeTempDir();
  try {
    const id = "a".repeat(128);
    for (const url of [" ", "127.0.0.1:8080", "ftp://h/", "http://u:pw@127.0.0.1:9/"]) {
      const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_URL: url, VC_CACHE_TOKEN: "t" } });
      assertEquals(await runCli(["cache-client", "rm", id], io), 1, io.stderr());
      assertStringIncludes(io.stderr(), "vc: VC_CACHE_URL: cache service URL ");
      assert(!io.stderr().includes("pw"), io.stderr());
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
