/**
 * `vc sync` had no dry run: users of `aws s3 sync --dryrun` and
 * `rclone --dry-run` could not see what a sync would copy into DEST (and
 * download into the cache) before it did. `syncSettled(dest, { dryRun: true })`
 * decides every entry as a real run would and changes nothing: not DEST,
 * its records or lock, not the cache, not the bucket. Its lists are the
 * real run's: what it would copy, leave unchanged, or fail.
 */
import { join, relative } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { SyncInterruptedError } from "../src/versioned/sync_interrupted.ts";
import { tempDir } from "./versioned_helpers.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { sha256Hex } from "../src/hash.ts";

/** Every entry below `root`: its kind, size, mtime and (files) the SHA-256 of its bytes. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, depth: number): Promise<void> => {
    assert(depth < 20, "a tree this test made is shallow");
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      const info = await Deno.lstat(p);
      const kind = info.isFile ? "file" : info.isDirectory ? "dir" : "other";
      const bytes = info.isFile ? sha256Hex(await Deno.readFile(p)) : "";
      out[relative(root, p)] = `${kind} ${info.size} ${info.mtime?.getTime()} ${bytes}`;
      if (info.isDirectory) await walk(p, depth + 1);
    }
  };
  await walk(root, 0);
  return out;
}

interface Outcome {
  copied: string[];
  unchanged: string[];
  failed: string[];
}

function outcome(
  r: {
    copied: { path: string }[];
    unchanged: { path: string }[];
    failed: { path: string; error: unknown }[];
  },
): Outcome {
  return {
    copied: r.copied.map((c) => c.path),
    unchanged: r.unchanged.map((c) => c.path),
    failed: r.failed.map((f) => `${f.path} ${(f.error as Error).name}`),
  };
}

Deno.test("syncSettled with dryRun changes nothing anywhere and lists what a real sync then does", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  const open = (cacheDir: string) =>
    new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: join(dir, "bucket"),
      cache: new AssetCache({ cacheDir, configPath: false, env: {}, warn: () => {} }),
    });
  {
    await using vc = open(join(dir, "cache"));
    for (const name of ["a", "b", "c", "e", "g"]) {
      await Deno.writeTextFile(join(dir, `${name}.src`), `${name} one\n`);
      await vc.add(`/d/${name}.csv`, join(dir, `${name}.src`));
    }
    assertEquals((await vc.syncSettled(join(dir, "out"))).copied.length, 5);
    // After the sync: /d/b.csv moves on, /d/n.csv is new, /d/c.csv is edited in
    // DEST, /d/e.csv rewritten by hand with its own bytes, /d/g.csv removed.
    await Deno.writeTextFile(join(dir, "b2.src"), "b two\n");
    await vc.update("/d/b.csv", join(dir, "b2.src"), { patch: true });
    await Deno.writeTextFile(join(dir, "n.src"), "n one\n");
    await vc.add("/d/n.csv", join(dir, "n.src"));
    await Deno.writeTextFile(join(dir, "out/d/c.csv"), "my edit\n");
    await Deno.remove(join(dir, "out/d/e.csv"));
    await Deno.writeTextFile(join(dir, "out/d/e.csv"), "e one\n");
    await Deno.remove(join(dir, "out/d/g.csv"));
  }
  // A version the bucket lacks fails, dry or not.
  const manifest = JSON.parse(await Deno.readTextFile(join(dir, "m.json")));
  await Deno.writeTextFile(
    join(dir, "m.json"),
    JSON.stringify({ ...manifest, "/d/gone.csv": "9.9.9" }, null, 2),
  );

  // Twice: with the cache holding every version, and with an empty cache
  // (each entry would be downloaded first).
  for (const cacheDir of [join(dir, "cache"), join(dir, "cold-cache")]) {
    const before = await snapshot(dir);
    let dry;
    {
      await using vc = open(cacheDir);
      dry = await vc.syncSettled(join(dir, "out"), { dryRun: true });
    }
    assertEquals(await snapshot(dir), before, `a dry run (cache ${cacheDir}) changed nothing`);
    assertEquals(dry.dryRun, true);
    assertEquals(outcome(dry), {
      copied: ["/d/b.csv", "/d/e.csv", "/d/g.csv", "/d/n.csv"],
      unchanged: ["/d/a.csv"],
      failed: ["/d/c.csv PreconditionFailedError", "/d/gone.csv NotFoundError"],
    });
    // What it would download: every copy from the cold cache; from the warm
    // one, only the versions published since the first sync.
    const cold = cacheDir.endsWith("cold-cache");
    assertEquals(dry.copied.map((c) => c.download === true), [true, cold, cold, true]);
    assertEquals(dry.bytes, "b two\ne one\ng one\nn one\n".length);
  }

  // The real run does what the dry run listed.
  const dry = await (async () => {
    await using vc = open(join(dir, "cold-cache"));
    return await vc.syncSettled(join(dir, "out"), { dryRun: true });
  })();
  await using vc = open(join(dir, "cold-cache"));
  const real = await vc.syncSettled(join(dir, "out"));
  assertEquals(outcome(real), outcome(dry));
  assertEquals(real.bytes, dry.bytes);
  assertEquals(real.dryRun, undefined);
  assertEquals(await Deno.readTextFile(join(dir, "out/d/b.csv")), "b two\n");
  assertEquals(await Deno.readTextFile(join(dir, "out/d/c.csv")), "my edit\n");
});

Deno.test("syncSettled with dryRun into a DEST that does not exist creates nothing", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  await Deno.writeTextFile(join(dir, "a.src"), "a\n");
  await using vc = new VersionedCache({
    manifest: join(dir, "m.json"),
    bucket: join(dir, "bucket"),
    cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false, env: {} }),
  });
  await vc.add("/x/a.csv", join(dir, "a.src"));
  const r = await vc.syncSettled(join(dir, "new/out"), { dryRun: true });
  assertEquals(outcome(r), { copied: ["/x/a.csv"], unchanged: [], failed: [] });
  assertEquals(r.copied[0]?.dest, join(dir, "new/out/x/a.csv"));
  assertEquals(await Deno.lstat(join(dir, "new")).catch(() => undefined), undefined);
  // Stopped, it says it changed nothing (not "the rest was not copied").
  const stop = new AbortController();
  stop.abort(new Error("stopped"));
  const error = await vc.syncSettled(join(dir, "new/out"), { dryRun: true, signal: stop.signal })
    .then(() => undefined, (e: unknown) => e);
  assert(error instanceof SyncInterruptedError, String(error));
  assertStringIncludes(error.message, "sync (dry run) interrupted after 0 of 1 manifest entry");
  assertStringIncludes(error.message, "nothing was changed");
  assertEquals(error.report.dryRun, true);
  assertEquals(await Deno.lstat(join(dir, "new")).catch(() => undefined), undefined);
});
