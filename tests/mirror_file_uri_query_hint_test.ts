/**
 * A mirror's `file://` side with a `?` or `#` in it (a directory named
 * `d#1`) is refused, as everywhere, but its error told the user to "give the
 * plain path", which a mirror takes for its local side and refuses next
 * ("TARGET must be a store URI"). The error now says only what works here:
 * percent-encode the character. Both the CLI and `mirror()` are checked, on
 * either side of the mirror.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("mirror: a file URI with ? or # is refused without the plain-path advice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-mirror-uri-hint-" });
  try {
    const local = join(dir, "data");
    await Deno.mkdir(local);
    await Deno.writeTextFile(join(local, "a.txt"), "a");
    const base = pathToFileURL(dir).href;
    for (const cut of ["#", "?"]) {
      const store = `${base}/d${cut}1`;
      for (const args of [[local, store], [store, join(dir, "down")]]) {
        const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_DIR: join(dir, "cache") } });
        const code = await runCli(["mirror", ...args], io);
        assertEquals(code, 2, io.stderr());
        assertStringIncludes(io.stderr(), `write "?" as %3F and "#" as %23`);
        assert(!io.stderr().includes("plain path"), io.stderr());
      }
      const error = await assertRejects(
        () => mirror({ sources: [local], target: store, cacheDir: join(dir, "cache") }),
        InvalidInputError,
      );
      assert(!error.message.includes("plain path"), error.message);
    }
    // Encoded, the same name is a store like any other.
    const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_CACHE_DIR: join(dir, "cache") } });
    assertEquals(await runCli(["mirror", "-q", local, `${base}/d%231`], io), 0, io.stderr());
    assertEquals(await Deno.readTextFile(join(dir, "d#1", "a.txt")), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
