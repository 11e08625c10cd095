/**
 * A subdirectory that is a different directory when the walk comes to read
 * it than when its parent was listed: a disk unmounted from it in between
 * (its mount point left empty), or the directory swapped for an empty one.
 * Its listing then reads as "all its files deleted", and a mirror with
 * `--delete` removed them (a one-shot `vc mirror --delete` planned 50
 * deletes, exit 0, for a tmpfs unmounted from a subdirectory mid-walk). The
 * walk must report the directory, so the mirror deletes nothing.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { walkFileBatches } from "../src/walk.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";
import { canMount, run } from "./mounts.ts";

/** Walks `root`, calling `between` once the first batch (from `a/`) came. */
async function walkWith(root: string, between: () => Promise<void>) {
  const keys: string[] = [];
  const errors: { path: string; message: string }[] = [];
  let first = true;
  for await (
    const batch of walkFileBatches(root, {
      onError: (path, error) => errors.push({ path, message: (error as Error).message }),
    })
  ) {
    keys.push(...batch.map((f) => f.key));
    if (first) {
      first = false;
      await between();
    }
  }
  return { keys, errors };
}

Deno.test("walk: a directory swapped for an empty one after its parent was listed is reported, not read as empty", async () => {
  await using tmp = await tempDir();
  const dir = tmp.dir;
  {
    const root = `${dir}/src`;
    await writeTree(root, { "a/x.txt": "x", "b/y.txt": "y", "b/z.txt": "z" });
    const { keys, errors } = await walkWith(root, async () => {
      await Deno.rename(`${root}/b`, `${dir}/b.away`);
      await Deno.mkdir(`${root}/b`);
    });
    assertEquals(keys, ["a/x.txt"]);
    assertEquals(errors.length, 1);
    assertEquals(errors[0]!.path, `${root}/b`);
    assertStringIncludes(errors[0]!.message, "is not the directory it was when the walk found it");
  }
});

Deno.test("walk: an unchanged tree walks without errors", async () => {
  await using tmp = await tempDir();
  const dir = tmp.dir;
  {
    await writeTree(dir, { "a/x.txt": "x", "b/c/y.txt": "y", "z.txt": "z" });
    const { keys, errors } = await walkWith(dir, async () => {});
    assertEquals(keys, ["a/x.txt", "b/c/y.txt", "z.txt"]);
    assertEquals(errors, []);
  }
});

Deno.test({
  name: "walk: a tmpfs unmounted from a subdirectory mid-walk is reported",
  // Needs a tmpfs mount (root on Linux, where the container allows mounts).
  ignore: !canMount,
  async fn() {
    await using tmp = await tempDir();
    const dir = tmp.dir;
    {
      const root = `${dir}/src`;
      await writeTree(root, { "a/x.txt": "x" });
      await Deno.mkdir(`${root}/m`);
      if (!(await run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", `${root}/m`))) {
        throw new Error(`mounting a tmpfs at ${root}/m failed (the probe's mount worked)`);
      }
      let mounted = true;
      try {
        await Deno.writeTextFile(`${root}/m/y.txt`, "y");
        const { keys, errors } = await walkWith(root, async () => {
          await run("umount", `${root}/m`);
          mounted = false;
        });
        assertEquals(keys, ["a/x.txt"]);
        assertEquals(errors.map((e) => e.path), [`${root}/m`]);
      } finally {
        if (mounted) await run("umount", `${root}/m`);
      }
    }
  },
});
