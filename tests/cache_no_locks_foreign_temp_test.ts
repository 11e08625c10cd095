/**
 * A cache dir on a file system without locks (NFS without its lock daemon,
 * Lustre without `-o flock`) is one that several machines share: two CI jobs
 * on two runners prefilling one cache dir at once. A download's temp file
 * there is named with its writer's pid, a pid of the machine (or container)
 * that writes it, which means nothing on another one. The sweep a download
 * makes of its directory took such a temp file, whose pid is not alive here,
 * for a dead writer's and removed it while the other job was still writing
 * it: that job's download then failed on its rename
 * (`NotFound: No such file or directory (os error 2): rename …`). Without
 * locks to tell, a temp file is a dead writer's only once it is old.
 */
import { join } from "node:path";
import { sweepDirectory } from "../src/cache/debris.ts";
import { isAbandonedTemp } from "../src/abandoned_temp.ts";
import { assertEquals } from "./assert.ts";
import { withoutLocks } from "./without_locks.ts";

// A pid no process here has (Linux pids stop at 2^22): another machine's writer.
const OTHER_HOST_PID = 999999999;

Deno.test("no locks: a fresh temp file of another machine's download is not swept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_foreign_temp_" });
  try {
    await withoutLocks(async () => {
      const data = join(dir, "data");
      await Deno.mkdir(data);
      const writing = join(data, `.big.bin.vc-tmp-${OTHER_HOST_PID}-abcd1234`);
      await Deno.writeTextFile(writing, "half of a download in progress elsewhere");
      // Past the few seconds between a temp file's create and its lock.
      const recent = new Date(Date.now() - 60_000);
      await Deno.utime(writing, recent, recent);
      const dead = join(data, `.old.bin.vc-tmp-${OTHER_HOST_PID}-efgh5678`);
      await Deno.writeTextFile(dead, "left by a writer killed two hours ago");
      const old = new Date(Date.now() - 2 * 3600_000);
      await Deno.utime(dead, old, old);

      assertEquals(isAbandonedTemp(writing, recent, Date.now(), 3600_000), false);
      assertEquals(sweepDirectory(data, join(dir, "meta")), 1);
      const left = [...Deno.readDirSync(data)].map((e) => e.name);
      assertEquals(left, [`.big.bin.vc-tmp-${OTHER_HOST_PID}-abcd1234`]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("locks: a temp file of a pid not alive here that nobody holds is swept at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_foreign_temp_" });
  try {
    const dead = join(dir, `.big.bin.vc-tmp-${OTHER_HOST_PID}-abcd1234`);
    await Deno.writeTextFile(dead, "left by a killed download");
    const recent = new Date(Date.now() - 60_000);
    await Deno.utime(dead, recent, recent);
    assertEquals(sweepDirectory(dir, join(dir, "meta")), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
