/**
 * `vc cache get s3://bucket` (no key) names a bucket, not an object: a
 * malformed argument, as `s3://` with no bucket is, so a usage error (exit 2)
 * said before anything is read. It was a failure (exit 1) found by the cache,
 * and `vc cache rm` / `vc cache invalidate`, which check every argument first
 * "so a typo touches nothing", removed the URIs before it and then failed on it.
 * Run as the `vc` process, with the release permission flags.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc cache get of a bucket without a key is a usage error", async () => {
  await withWorkspace(async (_dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 2);
    for (const uri of ["s3://my-bucket", "s3://my-bucket/"]) {
      const r = await vc(["cache", "get", uri]);
      assertFailure(r, 2, "URI: s3://my-bucket/ names a bucket, not an object");
      assertStringIncludes(r.stderr, 'Run "vc cache get --help"');
      assertEquals(r.stdout, "");
    }
    const json = await vc(["cache", "get", "s3://my-bucket", "--json"]);
    assertEquals(json.code, 2);
    assertEquals(
      (JSON.parse(json.stdout) as { error: { kind: string } }).error.kind,
      "InvalidInputError",
    );
  });
});

Deno.test("vc cache rm and invalidate touch nothing when one URI names a bucket", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 2);
    const file = join(dir, "bucket", "a.txt");
    await Deno.writeTextFile(file, "hello");
    const uri = pathToFileURL(file).href;
    ok(await vc(["cache", "get", uri]), "cache get");
    for (const command of ["rm", "invalidate"]) {
      const r = await vc(["cache", command, uri, "s3://my-bucket"]);
      assertFailure(r, 2, "s3://my-bucket/ names a bucket, not an object");
      assertEquals(r.stdout, "");
    }
    const ls = ok(await vc(["cache", "ls", "--json"]), "cache ls");
    const entries = JSON.parse(ls.stdout) as { uri: string; stale?: boolean }[];
    assertEquals(entries.map((e) => e.uri), [uri]);
    // Not invalidated either: a second get is served without a word of revalidation.
    const again = ok(await vc(["cache", "get", uri, "--offline"]), "cache get --offline");
    assertEquals(again.stderr, "");
  });
});
