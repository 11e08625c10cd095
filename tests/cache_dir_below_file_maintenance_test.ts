// A cache dir below a file (`/ci/cache.tar/vc`) is a mistake, not an empty
// cache: `vc cache ls/verify/prune` name it as `vc path` and `vc cache get`
// do, instead of an all-clear (`0 ok, 0 corrupt`, exit 0).
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { join } from "node:path";

Deno.test("cli cache ls/verify/prune: a cache dir below a file is named, not taken for an empty cache", async () => {
  await using ws = await CliWorkspace.create();
  const file = join(ws.dir, "cache.tar");
  await Deno.writeTextFile(file, "not a directory");
  const cacheDir = join(file, "vc");
  for (
    const args of [["cache", "ls"], ["cache", "verify"], ["cache", "prune", "--max-size", "1"]]
  ) {
    const r = await ws.run(args, { VC_CACHE_DIR: cacheDir });
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assertStringIncludes(r.stderr, `the cache dir ${cacheDir} is below ${file}, which is a file`);
  }
});

Deno.test("cli cache: a cache dir that is a loop of symbolic links is named as the cache dir", async () => {
  await using ws = await CliWorkspace.create();
  const cacheDir = join(ws.dir, "loop");
  await Deno.symlink("loop", cacheDir);
  await ws.write("bucket/d/a.txt", "a\n");
  for (const args of [["cache", "get", `${ws.bucket}/d/a.txt`], ["cache", "verify"]]) {
    const r = await ws.run(args, { VC_CACHE_DIR: cacheDir });
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
    assertStringIncludes(r.stderr, `the cache dir ${cacheDir} cannot be reached`);
  }
});
