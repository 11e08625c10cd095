/**
 * ENOLCK ("No locks available") means either an NFS mount without its lock
 * daemon (no locks at all) or a full lock table (a refusal that passes).
 * The cache and vc's other file locks try it again for a second
 * (`ENOLCK_GRACE_MS`, `tryLockOrNoLocks`) before going on without the lock;
 * the mirror's state file went on without its lock at the first ENOLCK,
 * with the no-locks notice, though a lock was there to be had a moment
 * later: two mirrors could then share one state file. Simulated on Linux by
 * making `Deno.FsFile`'s lock calls fail as such a file system makes them.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { MirrorState } from "../src/mirror/state.ts";
import { tempDir } from "./mirror_helpers.ts";
import { ENOLCK, lockableBy, refusingLocks } from "./refusing_locks.ts";

Deno.test("mirror state: an ENOLCK that passes (a full lock table) is waited out, and the lock is real", async () => {
  await using w = await tempDir();
  const path = join(w.dir, "state.db");
  const warnings: string[] = [];
  const state = refusingLocks(
    3,
    ENOLCK,
    () => new MirrorState(path, undefined, (m) => warnings.push(m)),
  );
  try {
    assert(!lockableBy(`${path}.lock`), "the state file is locked for this run");
    assertEquals(warnings, [], "no no-locks notice for a refusal that passed");
  } finally {
    state.close();
  }
});

Deno.test("mirror state: an ENOLCK that lasts is no lock here: used without, said once", async () => {
  await using w = await tempDir();
  const path = join(w.dir, "state.db");
  const warnings: string[] = [];
  const state = refusingLocks(
    Infinity,
    ENOLCK,
    () => new MirrorState(path, undefined, (m) => warnings.push(m)),
  );
  state.close();
  // The first notice of this process (the test above gave none).
  assertEquals(warnings.length, 1, warnings.join("\n"));
  assertMatch(warnings[0]!, /lock/i);
});
