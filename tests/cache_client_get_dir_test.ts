/**
 * `vc cache-client get ID DIR`: the service's file has no name to put in DIR
 * here, so a directory DEST (one that exists, or `out/`, or `out\` as Windows
 * writes it and as `vc get` reads it) is refused up front,
 * naming it, instead of failing after the download with the raw
 * "Directory not empty (os error 39): rename …" of the atomic write.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("cache-client get: a directory DEST is refused, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cc-dir-" });
  try {
    await Deno.mkdir(join(dir, "out"));
    for (const dest of ["out", "out/", "new/", "new\\"]) {
      const io = memoryIo({
        cwd: dir,
        // Port 1: nothing is asked of a service before DEST is checked.
        env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN: "t" },
      });
      const code = await runCli(["cache-client", "get", "a".repeat(128), dest], io);
      assertEquals(code, 2, io.stderr());
      assertStringIncludes(io.stderr(), `DEST ${dest} is a directory`);
    }
    assertEquals([...Deno.readDirSync(join(dir, "out"))], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
