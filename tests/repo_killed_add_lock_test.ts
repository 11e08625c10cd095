/**
 * A `vc repo add` killed (`kill -9`) while it commits into a `file://`
 * store leaves its key's lock file (`content/XX/.vc~lock~<name>`, about 100
 * bytes). Stale locks were removed only when their directory would
 * otherwise be empty, so one stayed per killed add, for good: neither
 * `vc repo check` nor `vc repo gc` removed it. A listing of the store now
 * removes a stale lock (its holder gone, or older than any commit holds
 * one) as it does a dead writer's temp file, and reports it; a live
 * writer's lock stays.
 */
import { join } from "node:path";
import { check } from "../src/repo/check.ts";
import { gc } from "../src/repo/gc.ts";
import { Repository } from "../src/repo/repository.ts";
import { tryAcquireLock } from "../src/store/fs_lock.ts";
import { assert, assertEquals } from "./assert.ts";
import { existsSync } from "./path_exists.ts";

/** Plants the lock a writer killed an hour ago left for `name` in `dir`. */
async function plantStaleLock(dir: string, name: string): Promise<string> {
  const path = join(dir, `.vc~lock~${name}`);
  const content = { pid: 2 ** 22 + 1, host: "elsewhere", nonce: "n", at: "2026-01-01T00:00:00Z" };
  await Deno.writeTextFile(path, JSON.stringify(content));
  const then = new Date(Date.now() - 3_600_000);
  await Deno.utime(path, then, then);
  return path;
}

Deno.test("repo check and gc: remove a killed add's stale key lock, never a live one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_killed_add_lock_" });
  try {
    await using repo = await Repository.init(`file://${dir}`);
    const r = await repo.add("/kept.bin", new Uint8Array([1, 2, 3]));
    await repo.publish(r.id);
    const contentDir = join(dir, r.contentKey, "..");
    const live = await tryAcquireLock(join(contentDir, ".vc~lock~live.bin"));
    assert(live !== undefined);
    try {
      const stale = await plantStaleLock(contentDir, "dead.bin");
      const checked = await check(repo);
      assertEquals(checked.removedTemps, [stale.slice(dir.length + 1)]);
      assert(checked.ok);
      assert(!existsSync(stale), "the stale lock stayed");
      assert(existsSync(live.path), "a live writer's lock was removed");

      const stale2 = await plantStaleLock(contentDir, "dead2.bin");
      const collected = await gc(repo);
      assertEquals(collected.removedTemps, [stale2.slice(dir.length + 1)]);
      assert(!existsSync(stale2), "the stale lock stayed");
      assert(existsSync(live.path), "a live writer's lock was removed");
      assertEquals((await repo.store.head(r.contentKey))?.size, 3);
    } finally {
      await live.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
