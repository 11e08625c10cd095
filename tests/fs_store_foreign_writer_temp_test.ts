/**
 * Several `vc serve` instances may share a `file://` store on a disk that
 * other hosts (NFS) or containers mount too. An upload's temp file is named
 * with its writer's pid, which is dead in every other host's or PID
 * namespace's eyes: `vc serve expire` (or a put into the same directory) run
 * there took the live upload's temp file for an abandoned one and removed
 * it, and the upload failed with a 500 after all its bytes had arrived. The
 * writer holds the file's lock while it writes: a held lock now keeps it.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { Entries } from "../src/server/entries.ts";
import { FsStore } from "../src/store/fs.ts";
import { exists } from "./path_exists.ts";

// Above Linux's largest pid_max (2^22): a pid that is dead on this host, as
// another host's or container's writer is.
const FOREIGN_PID = 4_194_305;

Deno.test("fs store: a temp file whose writer holds its lock survives sweeps whatever its pid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-foreign-temp-" });
  try {
    const id = "a".repeat(128);
    const dataDir = join(dir, "data", id);
    await Deno.mkdir(dataDir, { recursive: true });
    const temp = join(dataDir, `.${crypto.randomUUID()}.vc-tmp-${FOREIGN_PID}-abcdefgh`);
    await Deno.writeTextFile(temp, "part of a live upload");
    const store = new FsStore(dir);
    const entries = new Entries(store);
    {
      // The writer on the other host, at work: it holds the lock.
      using writer = await Deno.open(temp, { read: true, write: true });
      await writer.lock(true);
      const result = await entries.sweep();
      assertEquals(result.uploadsAborted, 0, JSON.stringify(result.abandoned));
      assert(await exists(temp), "vc serve expire removed a live writer's temp file");
      // Another upload into the same ID's directory sweeps it too.
      await store.put(`data/${id}/${crypto.randomUUID()}`, new TextEncoder().encode("other"));
      assert(await exists(temp), "a put beside it removed a live writer's temp file");
    }
    // The writer is gone (its lock with it): the next sweep removes its leftovers.
    const result = await entries.sweep();
    assertEquals(result.uploadsAborted, 1);
    assert(!(await exists(temp)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
