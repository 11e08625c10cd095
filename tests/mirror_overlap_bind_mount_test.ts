/**
 * A `file://` store and a local directory that hold one another through a
 * bind mount: one directory under two paths no link resolves. The path
 * check let `vc mirror SRC file://BIND/backup` (BIND a bind mount of SRC)
 * copy the source into itself on the first run (the next run then failed
 * on it), and a store → local mirror into the store's own directory wrote
 * into it. Both must be refused before anything is copied, as for paths.
 * Needs bind mounts (root on Linux, where the container allows them);
 * ignored elsewhere.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";
import { canMount, run } from "./mounts.ts";

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    out.push(e.name);
    if (e.isDirectory) out.push(...(await files(join(dir, e.name))).map((n) => `${e.name}/${n}`));
  }
  return out.sort();
}

Deno.test({
  name:
    "mirror: a file:// store and a directory that hold one another through a bind mount are refused",
  // Needs a bind mount (root on Linux, where the container allows mounts).
  ignore: !canMount,
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    const other = join(w.dir, "bm");
    await writeTree(src, { "d/f.txt": "1" });
    await Deno.mkdir(other);
    if (!(await run("mount", "--bind", src, other))) throw new Error(`mount --bind ${src} failed`);
    try {
      const statePath = join(w.dir, "state.db");
      for (
        const [sources, target] of [
          [[src], `file://${other}/backup`], // target inside the source
          [[`${other}/d`], `file://${src}`], // source inside the target
          [[`file://${other}/d`], join(src, "d", "sub")], // store → local, target inside the store
        ] as const
      ) {
        await assertRejects(
          () => mirror({ sources: [...sources], target, delete: true, statePath }),
          Error,
          "overlap (one holds the other)",
        );
      }
      assertEquals(await files(src), ["d", "d/f.txt"]);
    } finally {
      await run("umount", other);
    }
  },
});

Deno.test("mirror: a file:// store beside the source on the same filesystem is not taken for an overlap", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "d/f.txt": "1" });
  const report = await mirror({
    sources: [src],
    target: `file://${w.dir}/store/b`,
    statePath: join(w.dir, "state.db"),
  });
  assertEquals(report.transferred, 1);
});
