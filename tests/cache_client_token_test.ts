/**
 * A token that cannot be a header value (a line break inside, as from a
 * token file of two lines) was reported as "cannot reach the cache service
 * at …", sending the user after the network: it is refused as the token,
 * without showing it.
 */
import { assert, assertThrows } from "./assert.ts";
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
