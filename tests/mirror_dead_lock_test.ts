/**
 * A `file://` store after a writer was killed (`kill -9`) while it held a
 * key's lock: the lock file left in a directory must not keep that directory
 * once its keys are gone (a directory that became a file could never be
 * mirrored); a live writer's lock still does.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { lockName } from "../src/store/fs_layout.ts";
import { tryAcquireLock } from "../src/store/fs_lock.ts";
import { KeyConflictError } from "../src/errors.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

/** Writes the lock file a writer that has exited since left at `path`. */
async function deadWritersLock(path: string): Promise<void> {
  const child = new Deno.Command("true", { stdout: "null", stderr: "null" }).spawn();
  await child.status; // its pid is a dead writer's now
  const at = new Date().toISOString(); // fresh: only the dead holder makes it stale
  await Deno.writeTextFile(
    path,
    JSON.stringify({ pid: child.pid, host: Deno.hostname(), nonce: "dead", at }),
  );
}

Deno.test({
  name: "file:// store: a dead writer's lock does not keep a directory, so a file takes its name",
  ignore: Deno.build.os !== "linux", // a dead holder is told by /proc
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    const bucket = join(w.dir, "bucket");
    await writeTree(src, { "d/a.txt": "a", "d/b.txt": "b" });
    const options = {
      sources: [src],
      target: `file://${bucket}`,
      statePath: join(w.dir, "s.db"),
      delete: true,
    };
    assertEquals((await mirror(options)).transferred, 2);
    // A mirror killed while it wrote d/c.txt left its lock in d/.
    await deadWritersLock(join(bucket, "d", lockName("c.txt")));
    // The directory d became a file d.
    await Deno.remove(join(src, "d"), { recursive: true });
    await Deno.writeTextFile(join(src, "d"), "now a file");
    const r = await mirror(options);
    assertEquals(r.failed, []);
    assertEquals([r.transferred, r.deleted], [1, 2]);
    const store = new FsStore(bucket);
    try {
      assertEquals(await storeContents(store), { d: "now a file" });
    } finally {
      await store.close();
    }
  },
});

Deno.test("file:// store: a live writer's lock keeps its directory (no key takes its name)", async () => {
  await using w = await tempDir();
  const store = new FsStore(w.dir);
  try {
    await store.put("d/a", enc.encode("a"));
    const held = (await tryAcquireLock(join(w.dir, "d", lockName("b"))))!;
    try {
      await store.delete(["d/a"]);
      await assertRejects(() => store.put("d", enc.encode("file")), KeyConflictError);
    } finally {
      await held.release();
    }
  } finally {
    await store.close();
  }
});
