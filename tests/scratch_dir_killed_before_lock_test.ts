/**
 * A process killed between making its scratch directory in TMPDIR and
 * creating the in-use file inside it (`kill -9` at the start of a
 * `vc repo backup`, seen in 1 of 5 kills at a random point) left an empty
 * `vc-backup-…` directory that no later run ever removed: the sweep only
 * removed directories whose in-use file nobody held. An empty one, older
 * than the grace, is now removed by the next one of its kind; a non-empty
 * one with no in-use file (an older vc's) still stays.
 */
import { join } from "node:path";
import { makeScratchDir } from "../src/scratch_dir.ts";
import { assertEquals } from "./assert.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const hourAgo = () => new Date(Date.now() - 3600_000);

Deno.test({
  name: "makeScratchDir removes an empty one of its kind a process killed before its lock left",
  // Nothing is swept where locks are mandatory.
  ignore: Deno.build.os === "windows",
  async fn() {
    const parent = await Deno.makeTempDir({ prefix: "vc_scratch_killed_before_lock_" });
    const saved = Deno.env.get("TMPDIR");
    try {
      Deno.env.set("TMPDIR", parent);
      const prefix = "vc-backup-";
      const empty = join(parent, `${prefix}killed`);
      await Deno.mkdir(empty);
      await Deno.utime(empty, hourAgo(), hourAgo());
      const fresh = join(parent, `${prefix}starting`);
      await Deno.mkdir(fresh); // just made by a live process, not yet locked
      const older = join(parent, `${prefix}older`);
      await Deno.mkdir(older);
      await Deno.writeTextFile(join(older, "snapshot.jsonl.gz"), "x");
      await Deno.utime(older, hourAgo(), hourAgo());
      {
        await using _scratch = await makeScratchDir(prefix);
      }
      assertEquals(await exists(empty), false, "the empty abandoned one is removed");
      assertEquals(await exists(fresh), true, "one just made stays");
      assertEquals(await exists(older), true, "one with content and no in-use file stays");
    } finally {
      if (saved === undefined) Deno.env.delete("TMPDIR");
      else Deno.env.set("TMPDIR", saved);
      await Deno.remove(parent, { recursive: true });
    }
  },
});
