/**
 * A prefill (or any process) marks a copy it uses when the copy's last use
 * is from before the process began and may be a CI cache's restore, not a
 * use (tests/prefill_marks_restored_cache_test.ts). A mark made by another
 * process seconds earlier is no restore: a warm prefill run again within
 * the minute leaves every copy's times as the first run set them, instead
 * of writing them all again (one `utime` per copy per process, on a warm
 * prefill of thousands). The lean `vc path` does the same, and still marks
 * a copy restored as tar restores it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ok, withWorkspace } from "./cli_process.ts";
import { assert, assertEquals } from "./assert.ts";
import { CLI, run, warm, workspace } from "./hot_path_helpers.ts";
import { writtenLongAgo } from "./finished_file.ts";

/** Each data file of the cache (not its records) by name, with its last use (access time, ms). */
async function lastUses(dir: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const walk = async (at: string): Promise<void> => {
    for await (const e of Deno.readDir(at)) {
      if (e.name === ".meta") continue;
      const path = join(at, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile) found.set(e.name, (await Deno.lstat(path)).atime!.getTime());
    }
  };
  await walk(dir);
  return found;
}

Deno.test("a warm prefill run again seconds after another does not mark the copies again", async () => {
  await withWorkspace(async (dir, vc) => {
    const src = join(dir, "src");
    await Deno.mkdir(src);
    const names = ["a.bin", "b.bin", "c.bin"];
    for (const name of names) {
      await Deno.writeTextFile(join(src, name), `${name}\n`);
      await writtenLongAgo(join(src, name)); // finished files: no revalidation within the TTL
    }
    const list = names.map((n) => pathToFileURL(join(src, n)).href).join("\n") + "\n";
    await Deno.writeTextFile(join(dir, "list.txt"), list);
    ok(await vc(["prefill", "--list", "list.txt"]), "cold prefill");
    // The cache's directories last changed (the downloads) in a second that
    // has ended, so they are not taken for restored after the next marks.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const cache = join(dir, "cache");

    ok(await vc(["prefill", "--list", "list.txt"]), "first warm prefill");
    const first = await lastUses(cache);
    assertEquals([...first.keys()].sort(), names);

    ok(await vc(["prefill", "--list", "list.txt"]), "second warm prefill");
    assertEquals(await lastUses(cache), first, "the second run marked the copies again");
  });
});

Deno.test("vc path run again seconds after another leaves the copy's last use; a restore is marked", async () => {
  await using ws = await workspace();
  await warm(ws);
  // The download's directory change is in a second that has ended.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  const path = async () => {
    const r = await run(ws, CLI, ["path", "/some/asset.bin"]);
    assertEquals(r.code, 0, r.stderr);
    const copy = r.stdout.trim().replaceAll("<WS>", ws.dir);
    return { copy, used: (await Deno.lstat(copy)).atime!.getTime() };
  };
  const first = await path();
  const again = await path();
  assertEquals(again.used, first.used, "the second vc path marked the copy again");

  // A restore as tar makes it: the copy's access time, then its directory's times.
  const restoredAt = new Date(Date.now() - 5_000);
  const mtime = (p: string) => Deno.lstatSync(p).mtime!;
  await Deno.utime(first.copy, restoredAt, mtime(first.copy));
  const dir = first.copy.slice(0, first.copy.lastIndexOf("/"));
  await Deno.utime(dir, restoredAt, mtime(dir));
  const start = Date.now();
  const restored = await path();
  assert(
    restored.used >= start,
    `last use ${new Date(restored.used).toISOString()}, before the run`,
  );
});
