/**
 * A `vc sync` (or `vc get`) killed with `kill -9` midway through a copy
 * leaves its temp file (`.<name>.vc-tmp-<pid>-<random>`) in the user's
 * destination directory: the next copy to the same file removes it, and
 * leaves a temp file whose writer is still at work (it holds its lock), and
 * every other file, alone.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { copyFileAtomic } from "../src/atomic_write.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", ""],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await child.status;
  return child.pid;
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("sync removes the temp files a killed sync left in DEST, and nothing else", async () => {
  await using ws = await workspace();
  await ws.vc.add("/d/t.csv", await writeFile(ws.dir, "src/t.csv", "a,b\n1,2\n"));
  const out = join(ws.dir, "out", "d");
  await Deno.mkdir(out, { recursive: true });
  // A killed sync's temp file: its process is gone.
  const dead = `.t.csv.vc-tmp-${await deadPid()}-abcdefgh`;
  await Deno.writeTextFile(join(out, dead), "a,");
  // One whose pid cannot be told dead (pid 1 lives), unlocked, two hours old.
  const old = ".t.csv.vc-tmp-1-ijklmnop";
  await Deno.writeTextFile(join(out, old), "a");
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await Deno.utime(join(out, old), twoHoursAgo, twoHoursAgo);
  // A writer at work: it holds its lock (pid 1, ten seconds old).
  const live = ".t.csv.vc-tmp-1-qrstuvwx";
  using held = await Deno.open(join(out, live), { write: true, create: true });
  held.lockSync(true);
  const tenSecondsAgo = new Date(Date.now() - 10_000);
  await Deno.utime(join(out, live), tenSecondsAgo, tenSecondsAgo);
  // Files of the user's: another name's temp file, and a note that only looks like one.
  const otherName = `.g.txt.vc-tmp-${await deadPid()}-abcdefgh`;
  await Deno.writeTextFile(join(out, otherName), "x");
  await Deno.writeTextFile(join(out, ".notes.vc-tmp-1-draft"), "mine");
  await Deno.writeTextFile(join(out, "extra.txt"), "mine");

  const report = await ws.vc.syncSettled(join(ws.dir, "out"));
  assertEquals(report.failed, []);
  assertEquals(await Deno.readTextFile(join(out, "t.csv")), "a,b\n1,2\n");
  assertEquals(names(out), [otherName, ".notes.vc-tmp-1-draft", live, "extra.txt", "t.csv"].sort());
});

Deno.test("copyFileAtomic (vc get) removes a killed copy's temp file of the same name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "src.txt"), "data");
    const dead = `.out.txt.vc-tmp-${await deadPid()}-abcdefgh`;
    await Deno.writeTextFile(join(dir, dead), "da");
    await copyFileAtomic(join(dir, "src.txt"), join(dir, "out.txt"));
    assertEquals(names(dir), ["out.txt", "src.txt"]);
    assertEquals(await Deno.readTextFile(join(dir, "out.txt")), "data");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
