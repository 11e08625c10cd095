/**
 * The KBase file cache server takes a `cache_id` JSON body of any size; vc
 * serve bounds it (1 MiB by default), and the bound had no flag: a client
 * whose parameters pass 1 MiB (a long list of inputs) got 413 with no way
 * for the operator to let it through. `--max-json-bytes SIZE` sets it.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { serveSetup, spawnServe } from "./serve_process.ts";
import { newCacheId } from "./server_helpers.ts";

Deno.test("serve: --max-json-bytes lets a cache_id body past 1 MiB through, and is checked", async () => {
  await withWorkspace(async (dir, vc) => {
    const { args, token } = await serveSetup(dir, vc);
    const bad = await vc([...args, "--max-json-bytes", "lots"]);
    assertEquals(bad.code, 2, bad.stderr);
    assertStringIncludes(bad.stderr, "--max-json-bytes");
    await using serve = await spawnServe(dir, [...args, "--max-json-bytes", "4MiB"]);
    const post = (bytes: number) => newCacheId(serve.url, token, { inputs: "x".repeat(bytes) });
    const large = await post(3 << 20);
    assertEquals(large.status, 200, JSON.stringify(large.doc));
    assertMatch(String(large.doc.cache_id), /^[0-9a-f]{128}$/);
    const over = await post(5 << 20);
    assertEquals([over.status, over.doc.status], [413, "error"]);
  });
});
