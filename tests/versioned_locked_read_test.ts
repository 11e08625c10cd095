/**
 * Issue 12: a locked versioned read must not serve a cached copy that entered
 * the cache without a lock check (another process read it unlocked). The
 * copy is checked against the lock entry once; its verified SHA-256 is then
 * recorded with the cache entry, so later reads do not hash it again.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { walkFiles } from "../src/walk.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { readJournal } from "../src/cache/record_journal.ts";

async function setup(dir: string) {
  const bucket = join(dir, "bucket");
  const cacheDir = join(dir, "cache");
  const manifest = join(dir, "versioned_assets.json");
  const src = join(dir, "t.csv");
  await Deno.writeTextFile(src, "good\n");
  const cache = () => new AssetCache({ cacheDir, configPath: false, env: {} });
  const publisher = new VersionedCache({ manifest, bucket, cache: cache() });
  await publisher.add("/t.csv", src);
  await publisher.close();
  const object = join(bucket, "t.1.0.0.csv");
  assertEquals(await Deno.readTextFile(object), "good\n");
  // Locked (the lock file beside the manifest) and unlocked readers of one cache.
  const locked = () => new VersionedCache({ manifest, bucket, cache: cache() });
  const unlocked = () => new VersionedCache({ manifest, bucket, lock: false, cache: cache() });
  return { object, cacheDir, locked, unlocked };
}

/** The cache records that mention a verified SHA-256 (journal lines, or record files of earlier versions). */
async function recordsWithSha256(cacheDir: string): Promise<number> {
  let n = 0;
  for await (const f of walkFiles(cacheDir)) {
    if (f.key.endsWith("%records.jsonl")) {
      for (const meta of readJournal(f.path).values()) if (meta?.sha256 !== undefined) n++;
      continue;
    }
    if (!f.key.endsWith(".json")) continue;
    const text = await Deno.readTextFile(f.path).catch(() => "");
    if (text.includes('"sha256"')) n++;
  }
  return n;
}

Deno.test("locked read: a copy cached unlocked that the lock does not pin is not served", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { object, locked, unlocked } = await setup(dir);
    await Deno.writeTextFile(object, "evil\n"); // the bucket's object replaced in place
    {
      await using reader = unlocked();
      const path = await reader.path("/t.csv");
      assertEquals(await Deno.readTextFile(path), "evil\n", "unlocked reads take what is there");
    }
    {
      await using reader = locked();
      await assertRejects(() => reader.path("/t.csv"), IntegrityError);
    }
    await Deno.writeTextFile(object, "good\n"); // repaired
    {
      await using reader = locked();
      const path = await reader.path("/t.csv");
      assertEquals(await Deno.readTextFile(path), "good\n");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("locked read: a good copy cached unlocked is checked once, and its SHA-256 recorded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { cacheDir, locked, unlocked } = await setup(dir);
    let path: string;
    {
      await using reader = unlocked();
      path = await reader.path("/t.csv");
    }
    assertEquals(await recordsWithSha256(cacheDir), 0, "an unlocked read verifies no SHA-256");
    {
      await using reader = locked();
      assertEquals(await reader.path("/t.csv"), path);
    }
    assertEquals(await recordsWithSha256(cacheDir), 1);
    // Recorded: a later locked read serves the copy without hashing it. Shown
    // by damage the hash would catch but the size and time checks do not (the
    // modification time put back as it was).
    const { atime, mtime } = await Deno.stat(path);
    await Deno.writeTextFile(path, "GOOD\n");
    await Deno.utime(path, atime!, mtime!);
    {
      await using reader = locked();
      assertEquals(await reader.path("/t.csv"), path);
    }
    assert(await Deno.readTextFile(path) === "GOOD\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
