/**
 * `CacheClient.download` (so `vc cache-client get ID DEST`) when DEST cannot
 * be written (a file where one of its directories belongs, no permission, no
 * space): the error names the download's cache ID and DEST, and why, instead
 * of the bare "Not a directory (os error 20): open '…/.x.vc-tmp-…'" that
 * named only the atomic write's temp file; and nothing is left behind.
 */
import { join } from "node:path";
import { serviceWithResult } from "./server_helpers.ts";
import { VcError } from "../src/errors.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("CacheClient.download: an unwritable DEST is named with the cache ID", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cc-dest-" });
  try {
    await using served = await serviceWithResult(dir);
    const { client, cacheId } = served;
    await Deno.writeTextFile(join(dir, "afile"), "in the way");
    const dest = join(dir, "afile", "out.txt");
    const error = await client.download(cacheId, dest).then(() => undefined, (e) => e);
    assert(error instanceof VcError, String(error));
    assertStringIncludes(error.message, `download of cache ${cacheId}: cannot write ${dest}`);
    assertStringIncludes(error.message, "a file is where one of its directories belongs");
    assertEquals(await Deno.readTextFile(join(dir, "afile")), "in the way");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["afile", "store"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
