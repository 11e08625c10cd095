/**
 * The KBase file cache server takes a `cache_id` JSON body of any size; vc
 * serve bounds it (1 MiB by default), and the bound had no flag: a client
 * whose parameters pass 1 MiB (a long list of inputs) got 413 with no way
 * for the operator to let it through. `--max-json-bytes SIZE` sets it.
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { servedUrl } from "./serve_process.ts";

Deno.test("serve: --max-json-bytes lets a cache_id body past 1 MiB through, and is checked", async () => {
  await withWorkspace(async (dir, vc) => {
    const store = join(dir, "store");
    await Deno.mkdir(store);
    const tokens = join(dir, "tokens.json");
    const token = ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add-token")
      .stdout.trim();
    const bad = await vc([
      "serve",
      "--store",
      pathToFileURL(store).href,
      "--token-file",
      tokens,
      "--max-json-bytes",
      "lots",
    ]);
    assertEquals(bad.code, 2, bad.stderr);
    assertStringIncludes(bad.stderr, "--max-json-bytes");
    const serve = vcCommand(dir, childEnv(dir), [
      "serve",
      "--store",
      pathToFileURL(store).href,
      "--token-file",
      tokens,
      "--port",
      "0",
      "--max-json-bytes",
      "4MiB",
    ], 60_000).spawn();
    const started = servedUrl(serve);
    try {
      const { url } = await started;
      const post = async (bytes: number) => {
        const res = await fetch(`${url}/v1/cache_id`, {
          method: "POST",
          headers: { authorization: token, "content-type": "application/json" },
          body: JSON.stringify({ inputs: "x".repeat(bytes) }),
        });
        return { status: res.status, doc: await res.json() };
      };
      const large = await post(3 << 20);
      assertEquals(large.status, 200, JSON.stringify(large.doc));
      assertMatch(String(large.doc.cache_id), /^[0-9a-f]{128}$/);
      const over = await post(5 << 20);
      assertEquals([over.status, over.doc.status], [413, "error"]);
    } finally {
      try {
        serve.kill("SIGKILL");
      } catch {
        // already exited
      }
      await serve.status;
      await started.then((s) => Promise.all([s.stdoutEnd, s.stderr])).catch(() => {});
    }
  });
});
