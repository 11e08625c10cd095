/**
 * A local → store mirror makes objects of regular files only: a symbolic
 * link (unless followed), a FIFO, a socket or a device are passed over. The run says
 * so (`report.skipped`, a count in the summary line), so a target short of
 * the tree (and a `--delete` that removes the object of a file that became
 * a link) is explained, not silent.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";

async function tree(src: string): Promise<void> {
  await writeTree(src, { "a.txt": "a", "dir/b.txt": "b", "old.txt": "o" });
  await Deno.symlink(join(src, "a.txt"), join(src, "link-to-file"));
  await Deno.symlink(join(src, "dir"), join(src, "link-to-dir"));
  await Deno.symlink("excluded.txt", join(src, "skip.tmp"));
  const fifo = new Deno.Command("mkfifo", { args: [join(src, "dir/pipe")] });
  assertEquals((await fifo.output()).code, 0);
}

Deno.test({
  name: "mirror local → store: links not followed and FIFOs are reported as skipped",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await tree(src);
    const store = new MemoryStore();
    const options = {
      sources: [src],
      target: store,
      exclude: ["^skip"],
      racyWindowMs: RACY_MS,
      delete: true,
    };
    for (const walkThread of [false, true]) {
      const r = await mirror({
        ...options,
        statePath: join(w.dir, `${walkThread}.db`),
        walkThread,
      });
      assertEquals(r.skipped, [
        { key: "dir/pipe", path: join(src, "dir/pipe"), kind: "special" },
        { key: "link-to-dir", path: join(src, "link-to-dir"), kind: "symlink" },
        { key: "link-to-file", path: join(src, "link-to-file"), kind: "symlink" },
      ]);
    }
    // Followed, the links are files; the FIFO still is not.
    const followed = await mirror({
      ...options,
      statePath: join(w.dir, "f.db"),
      symlinks: "follow",
    });
    assertEquals(followed.skipped?.map((s) => s.key), ["dir/pipe", "link-to-dir/pipe"]);
    assertEquals(followed.transferred, 2); // link-to-file, link-to-dir/b.txt
    // Nothing to say: no field at all, and a store → local mirror's target is not a source.
    await Deno.remove(join(src, "dir/pipe"));
    const plain = await mirror({ ...options, statePath: join(w.dir, "f.db"), symlinks: "follow" });
    assertEquals(plain.skipped, undefined);
    const down = await mirror({
      sources: [store],
      target: src,
      statePath: join(w.dir, "d.db"),
      racyWindowMs: RACY_MS,
    });
    assertEquals(down.skipped, undefined);
  },
});

Deno.test({
  name: "vc mirror DIR TARGET: the summary counts and names the links and special files it skipped",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    await tree(ws.path("src"));
    const run = await ws.run(["mirror", "src", ws.bucket, "--exclude", "^skip", "--dry-run"]);
    assertEquals(run.code, 0, run.stderr);
    // Named, the first three of each kind: a user missing a file in the
    // target is told which were passed over, not only how many.
    assertStringIncludes(
      run.stdout,
      "2 symlinks skipped (--follow-symlinks follows them: link-to-dir link-to-file)",
    );
    assertStringIncludes(run.stdout, "1 special file skipped (FIFO, socket, device: dir/pipe)");
    const json = await ws.run([
      "mirror",
      "src",
      ws.bucket,
      "--exclude",
      "^skip",
      "--follow-symlinks",
      "--json",
    ]);
    assertEquals(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assertEquals(report.skipped.map((s: { key: string }) => s.key), [
      "dir/pipe",
      "link-to-dir/pipe",
    ]);
    assertEquals(report.transferred, 5); // skip.tmp leads to no file: excluded anyway
  },
});

Deno.test({
  name:
    "mirror local → store: a link not followed is reported unless the filters leave out all it could be",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.csv": "a", "moved/b.csv": "b" });
    // A directory of CSVs moved to another disk, a link left in its place.
    await Deno.rename(join(src, "moved"), join(w.dir, "moved"));
    await Deno.symlink(join(w.dir, "moved"), join(src, "moved"));
    const run = (filter: string[], exclude: string[]) =>
      mirror({
        sources: [src],
        target: new MemoryStore(),
        statePath: join(w.dir, "s.db"),
        racyWindowMs: RACY_MS,
        filter,
        exclude,
      });
    // Only CSV files: the link may lead to a directory of them.
    assertEquals((await run(["\\.csv$"], [])).skipped?.map((s) => s.key), ["moved"]);
    // Left out as a file only, not what would be below it.
    assertEquals((await run([], ["^moved$"])).skipped?.map((s) => s.key), ["moved"]);
    assertEquals((await run([], ["^moved"])).skipped, undefined);
  },
});

Deno.test({
  name: "vc mirror DIR TARGET: a skipped name with a space is quoted in the summary, one name",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    const src = ws.path("src");
    await writeTree(src, { "a.txt": "a" });
    // `My Docs old.lnk` read as three links, none of which exists.
    await Deno.symlink(join(src, "a.txt"), join(src, "My Docs"));
    await Deno.symlink(join(src, "a.txt"), join(src, "old.lnk"));
    await Deno.symlink(join(src, "a.txt"), join(src, "trailing "));
    const run = await ws.run(["mirror", "src", ws.bucket, "--dry-run"]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(
      run.stdout,
      '3 symlinks skipped (--follow-symlinks follows them: "My Docs" old.lnk "trailing ")',
    );
  },
});
