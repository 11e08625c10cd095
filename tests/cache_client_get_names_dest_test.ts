/**
 * `vc cache-client get ID DEST` says what it wrote where, with DEST made
 * absolute, as `vc get` and `vc repo get` do: it printed DEST as typed (a
 * bare "copy.tsv" line), and `--json` gave that relative `path`.
 */
import { join } from "node:path";
import { serviceWithResult } from "./server_helpers.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals } from "./assert.ts";

Deno.test("cache-client get ID DEST names the cache and the absolute file written", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-cc-dest-" }));
  try {
    await using served = await serviceWithResult(dir);
    const { cacheId, service } = served;
    const env = { HOME: dir, VC_CACHE_URL: service.url, VC_CACHE_TOKEN: "alice" };
    const io = memoryIo({ cwd: dir, env });
    assertEquals(await runCli(["cache-client", "get", cacheId, "copy.tsv"], io), 0, io.stderr());
    assertEquals(io.stdout(), `downloaded ${cacheId} to ${join(dir, "copy.tsv")}\n`);
    const json = memoryIo({ cwd: dir, env });
    const code = await runCli(["cache-client", "get", cacheId, "again.tsv", "--json"], json);
    assertEquals(code, 0, json.stderr());
    assertEquals(JSON.parse(json.stdout()), { cacheId, path: join(dir, "again.tsv") });
    assertEquals(await Deno.readTextFile(join(dir, "again.tsv")), "result");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
