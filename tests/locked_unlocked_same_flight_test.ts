/**
 * A locked and an unlocked read of one object at once, in one process (one
 * asset cache): the locked one must be checked against its lock entry, not
 * handed the unlocked download's bytes, and the unlocked one must not get
 * the locked one's IntegrityError. `vc prefill --manifest B --manifest A`
 * with B pinning a version A locks (B without a lock file) fetched the object
 * once, unchecked, and called A's entry fetched (exit 0) though the bucket's
 * bytes were not the ones A's lock file pins.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

/** A version published and locked in `a/`, pinned unlocked in `b/`, then replaced (same size). */
async function replacedVersion(dir: string) {
  const bucket = join(dir, "bucket");
  const a = join(dir, "a", "versioned_assets.json");
  const b = join(dir, "b", "versioned_assets.json");
  await Deno.mkdir(join(dir, "a"));
  await Deno.mkdir(join(dir, "b"));
  const src = join(dir, "t.csv");
  await Deno.writeTextFile(src, "good\n");
  {
    await using cache = new AssetCache({ cacheDir: join(dir, "pub"), configPath: false, env: {} });
    await using publisher = new VersionedCache({ manifest: a, bucket, cache });
    await publisher.add("/t.csv", src);
  }
  await Deno.writeTextFile(b, '{"/t.csv": "1.0.0"}\n');
  // Someone who can write the bucket but not the repository.
  await Deno.writeTextFile(join(bucket, "t.1.0.0.csv"), "evil\n");
  return { bucket, a, b };
}

/**
 * {@linkcode replacedVersion} in `dir`, read through one asset cache by the
 * manifest that locks it (`locked`, of `a`) and the one that does not
 * (`unlocked`). Disposing it closes the three.
 */
async function lockedAndUnlocked(dir: string) {
  const { bucket, a, b } = await replacedVersion(dir);
  await using stack = new AsyncDisposableStack();
  const cache = stack.use(
    new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, env: {} }),
  );
  const locked = stack.use(new VersionedCache({ manifest: a, bucket, cache }));
  const unlocked = stack.use(new VersionedCache({ manifest: b, bucket, cache }));
  const owned = stack.move();
  return { a, cache, locked, unlocked, [Symbol.asyncDispose]: () => owned.disposeAsync() };
}

for (const lockedFirst of [false, true]) {
  Deno.test(
    `a locked read joined with an unlocked one of the same object is still checked (${
      lockedFirst ? "locked" : "unlocked"
    } first)`,
    async () => {
      await using dir = await tempDir();
      await using readers = await lockedAndUnlocked(dir.path);
      const { locked, unlocked } = readers;
      const readLocked = () => locked.path("/t.csv");
      const readUnlocked = () => unlocked.path("/t.csv");
      const [first, second] = lockedFirst
        ? [readLocked(), readUnlocked()]
        : [readUnlocked(), readLocked()];
      const [l, u] = lockedFirst
        ? await Promise.allSettled([first, second])
        : (await Promise.allSettled([first, second])).reverse();
      assert(l?.status === "rejected", "the locked read must refuse the replaced bytes");
      assert(l.reason instanceof IntegrityError, String(l.reason));
      assert(String(l.reason.message).includes("/t.csv@1.0.0"), l.reason.message);
      assert(
        u?.status === "fulfilled",
        `the unlocked read: ${String((u as { reason?: unknown })?.reason)}`,
      );
      assertEquals(await Deno.readTextFile(u.value), "evil\n");
      // And later: the locked read still refuses what the cache now holds.
      await assertRejects(readLocked, IntegrityError);
    },
  );

  Deno.test(
    `prefill of two manifests, one locking a replaced version (${
      lockedFirst ? "locked" : "unlocked"
    } manifest first), fails the locked entry`,
    async () => {
      await using dir = await tempDir();
      await using readers = await lockedAndUnlocked(dir.path);
      const { a, cache, locked, unlocked } = readers;
      const summary = await prefill({
        cache,
        versioned: lockedFirst ? [locked, unlocked] : [unlocked, locked],
      });
      const failed = summary.failed.map((f) => [f.file, f.errorName]);
      assertEquals(failed, [[a, "IntegrityError"]]);
      assertEquals(summary.total, 2);
    },
  );
}
