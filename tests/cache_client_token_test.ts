/**
 * A token that cannot be a header value (a line break inside, as from a
 * token file of two lines) was reported as "cannot reach the cache service
 * at …", sending the user after the network: it is refused as the token,
 * without showing it.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

Deno.test("CacheClient: a token with a line break or control character is refused as the token", () => {
  for (const token of ["abc\ndef", "abc\rdef", "a\x00b", "a\x7fb", "a\u20acb"]) {
    const e = assertThrows(
      () => new CacheClient({ url: "http://127.0.0.1:1", token }),
      InvalidInputError,
    );
    assert(e.message.includes("token"), e.message);
    assert(!e.message.includes("abc"), e.message);
  }
  // Trailing whitespace (a file's last line break) is trimmed by fetch, and Latin-1 is sent.
  for (const token of ["abc\n", " abc\r\n", "a\tb", "tök"]) {
    new CacheClient({ url: "http://127.0.0.1:1", token });
  }
});

Deno.test("vc cache-client: a token with a line break inside is named, not the network", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const io = memoryIo({
      cwd: dir,
      env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:9", VC_CACHE_TOKEN: "secret\nline2" },
    });
    const code = await runCli(["cache-client", "rm", "a".repeat(128)], io);
    assert(code !== 0);
    assert(io.stderr().includes("token"), io.stderr());
    assert(!io.stderr().includes("cannot reach"), io.stderr());
    assert(!io.stderr().includes("secret"), io.stderr());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache-client: a bad token is named as --token or VC_CACHE_TOKEN, never as --url", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const id = "a".repeat(128);
    const url = "http://127.0.0.1:9";
    const flag = memoryIo({ cwd: dir, env: { HOME: dir } });
    const code = await runCli(
      ["cache-client", "rm", id, "--url", url, "--token", "secret\nline2"],
      flag,
    );
    assertEquals(code, 2);
    assert(flag.stderr().includes("vc: --token: CacheClient: the option token"), flag.stderr());
    assert(!flag.stderr().includes("--url"), flag.stderr());
    assert(!flag.stderr().includes("secret"), flag.stderr());
    const env = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_TOKEN: "secret\nline2" } });
    assert(await runCli(["cache-client", "rm", id, "--url", url], env) !== 0);
    assert(env.stderr().includes("VC_CACHE_TOKEN: CacheClient: the option token"), env.stderr());
    assert(!env.stderr().includes("--url"), env.stderr());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
