// A directory where a record journal belongs (damage, or planted by a
// restored cache) makes every entry of its data directory uncacheable:
// `verify` and `prune` name it (verify exits 1) instead of an all-clear.
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { oneFileSource } from "./one_file_source.ts";

Deno.test("cache verify/prune: a directory where a record journal belongs is named, not skipped", async () => {
  await using source = await oneFileSource("vc-journal-dir-");
  const { cacheDir, uri } = source;
  let journal: string;
  {
    await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
    const local = await cache.cache(uri);
    journal = recordPathsOf(cacheDir, local).journalPath;
  }
  await Deno.remove(journal);
  await Deno.mkdir(journal);
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {} });
  assertEquals((await cache.verify()).journalDirs, [journal]);
  assertEquals((await cache.prune({ maxBytes: 1e9 })).journalDirs, [journal]);
  // Nothing inside it is touched.
  assertEquals((await Deno.stat(journal)).isDirectory, true);
});

Deno.test("cli cache verify: a directory where a record journal belongs fails the check, naming it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/a.txt", "a\n");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/a.txt`]);
  assertEquals(get.code, 0, get.stderr);
  const journal = recordPathsOf(ws.cacheDir, get.stdout.trim()).journalPath;
  await Deno.remove(journal);
  await Deno.mkdir(journal);
  const verify = await ws.run(["cache", "verify"]);
  assertEquals(verify.code, 1, verify.stdout + verify.stderr);
  assertStringIncludes(verify.stdout + verify.stderr, `damaged: ${journal} is a directory`);
});

// `vc cache ls` listed nothing for such a directory, exit 0, while `cache
// get` of one of its entries failed naming the journal: it names it too.
for (const kind of ["directory", "FIFO"] as const) {
  Deno.test({
    name: `cli cache ls: a ${kind} where a record journal belongs is named, exit 1`,
    ignore: kind === "FIFO" && Deno.build.os === "windows", // no mkfifo there
    async fn() {
      await using ws = await CliWorkspace.create();
      await ws.write("bucket/d/a.txt", "a\n");
      await ws.write("bucket/e/b.txt", "b\n");
      const get = await ws.run(["cache", "get", `${ws.bucket}/d/a.txt`]);
      assertEquals(get.code, 0, get.stderr);
      assertEquals((await ws.run(["cache", "get", `${ws.bucket}/e/b.txt`])).code, 0);
      const journal = recordPathsOf(ws.cacheDir, get.stdout.trim()).journalPath;
      await Deno.remove(journal);
      if (kind === "directory") await Deno.mkdir(journal);
      else {
        const made = await new Deno.Command("mkfifo", { args: [journal] }).output();
        assertEquals(made.code, 0);
      }
      const ls = await ws.run(["cache", "ls"]);
      assertEquals(ls.code, 1, ls.stdout + ls.stderr);
      assertStringIncludes(
        ls.stderr,
        `damaged: ${journal} is ${kind === "FIFO" ? "a FIFO" : "a directory"}`,
      );
      assertStringIncludes(ls.stdout, "e/b.txt"); // the rest is still listed
      // verify names a FIFO there as it names a directory.
      const verify = await ws.run(["cache", "verify"]);
      assertEquals(verify.code, 1, verify.stdout + verify.stderr);
      assertStringIncludes(verify.stdout + verify.stderr, `damaged: ${journal} is`);
    },
  });
}
