/**
 * A writer of a user's file (`writeFileAtomic` with `sweepAbandoned`,
 * `copyFileAtomic`, a download) holds its temp file locked until the temp
 * file has its final name. A concurrent writer of the same file sweeps the
 * temp files beside it, and takes an unlocked one holding bytes for a
 * killed writer's at any age (`lockedBeforeWrite`): `commit` closed the
 * temp file (letting go of its lock) before renaming it, so a sweep landing
 * between the two removed a live writer's finished file, whose rename then
 * failed (two `vc get` of one file at once, a store → local mirror's walk
 * thread beside its downloads). Not on Windows, where an open file cannot
 * be renamed and the sweep never goes by the lock.
 */
import { join } from "node:path";
import { copyFileAtomic, writeFileAtomic } from "../src/atomic_write.ts";
import { removeAbandonedTempsOf } from "../src/abandoned_temp.ts";
import { assertEquals } from "./assert.ts";

/** Runs `body` with every rename of a vc temp file preceded by a sweep beside its destination. */
async function sweepBeforeEachRename(body: () => Promise<void>): Promise<void> {
  const rename = Deno.renameSync;
  Deno.renameSync = (from: string | URL, to: string | URL) => {
    // What a concurrent writer of `to` does as it begins.
    if (String(from).includes(".vc-tmp-")) removeAbandonedTempsOf(String(to));
    rename(from, to);
  };
  try {
    await body();
  } finally {
    Deno.renameSync = rename;
  }
}

Deno.test({
  name: "a sweep beside a file between a writer's close and its rename leaves the writer's file",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_commit_locked_rename_" });
    try {
      const dest = join(dir, "out.csv");
      const source = join(dir, "source.csv");
      await Deno.writeTextFile(source, "copied\n");
      await sweepBeforeEachRename(async () => {
        await writeFileAtomic(dest, "written\n", { sweepAbandoned: true });
        assertEquals(await Deno.readTextFile(dest), "written\n");
        await copyFileAtomic(source, dest);
        assertEquals(await Deno.readTextFile(dest), "copied\n");
      });
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["out.csv", "source.csv"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
