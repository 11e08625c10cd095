/**
 * A script using the library never runs `vc`; its errors told it to
 * "run `vc lock`", "check it with `vc lock --check`", "free space (e.g.
 * `vc cache prune --max-size 10GB`)", "move the catalog to PostgreSQL (vc
 * repo backup, then vc repo restore SNAPSHOT --catalog postgres://…)". The
 * library now names its own call (`fillLock()`, `checkLock()`, the
 * AssetCache's `prune({ maxBytes })`), and `vc` (withFlagNames) says the
 * command, as it says each option as its flag. A step that names an input
 * (`vc cache rm URI`) is quoted as JSON by the library and as a shell word
 * by `vc`, so a hostile name reads back as itself.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { AssetCache, VersionedCache } from "../mod.ts";
import { withFlagNames } from "../src/cli/errors.ts";
import { checkHost } from "../src/repo/marker.ts";
import { goneError } from "../src/cache/cache_errors.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { Repository } from "../src/repo/mod.ts";
import { MirrorState } from "../src/mirror/state.ts";
import { parseDurationSeconds } from "../src/config.ts";
import { validatedAgo } from "../src/cache/validated_ago.ts";
import { KEPT_URI, withStoreGone } from "./store_gone_run.ts";
import { COMMAND_WORDS, restoreToCatalog } from "../src/command_words.ts";

// A `vc` subcommand named in a message: what a library error must not hold.
const COMMAND = /\bvc (add|update|lock|sync|prefill|path|versions|ls-remote|cache|repo|mirror)\b/;

function assertLibraryWords(message: string) {
  assert(!COMMAND.test(message), `a library message names a vc command: ${message}`);
}

Deno.test("frozen mode: the library says fillLock(), vc says `vc lock`", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_command_words_frozen_" });
  try {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "f.txt"), "one");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const options = { manifest: join(dir, "m.json"), bucket: join(dir, "bucket"), cache };
    {
      await using v = new VersionedCache({ ...options, lock: false });
      await v.add("/f.txt", join(dir, "f.txt"));
    }
    await using frozen = new VersionedCache({
      ...options,
      lock: join(dir, "m.lock.json"),
      frozen: true,
    });
    const message = ((await assertRejects(() => frozen.path("/f.txt"))) as Error).message;
    assertStringIncludes(message, "run `fillLock()` and commit the lock file");
    assertLibraryWords(message);
    assertStringIncludes(withFlagNames(message), "run `vc lock` and commit the lock file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing manifest: the library says add(PATH, FILE), vc says `vc add PATH FILE`", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_command_words_manifest_" });
  try {
    await Deno.mkdir(join(dir, "bucket"));
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using v = new VersionedCache({
      manifest: join(dir, "none.json"),
      bucket: join(dir, "bucket"),
      cache,
    });
    const message = ((await assertRejects(() => v.path("/f.txt"))) as Error).message;
    assertStringIncludes(message, "create it with `add(PATH, FILE)`");
    assertLibraryWords(message);
    assertStringIncludes(withFlagNames(message), "create it with `vc add PATH FILE`");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a SQLite catalog of another host: Repository words, vc's repo backup / restore", () => {
  let message = "";
  try {
    checkHost({ kind: "sqlite", path: "/c", host: "a" }, "b");
  } catch (e) {
    message = (e as Error).message;
  }
  assertStringIncludes(message, "`Repository.restore()` the snapshot with a postgres://");
  assertLibraryWords(message);
  assertStringIncludes(
    withFlagNames(message),
    "(vc repo backup, then vc repo restore SNAPSHOT --catalog postgres://…)",
  );
});

Deno.test("a step naming a hostile URI: JSON in the library's words, a shell word in vc's", () => {
  const uri = 's3://b/it\'s "the force option") `x`.csv';
  const message = goneError({ uri, dataPath: "/c/d" }).message;
  assertStringIncludes(message, `the AssetCache's \`delete(${JSON.stringify(uri)})\``);
  assertLibraryWords(message);
  assertStringIncludes(
    withFlagNames(message),
    `(remove it with \`vc cache rm 's3://b/it'\\''s "the force option") \`x\`.csv'\`)`,
  );
});

Deno.test("vc path --frozen of an unlocked entry still says `vc lock`", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await ws.vc("add", "/f.txt", "f.txt");
  await Deno.remove(ws.path("versioned_assets.lock.json")).catch(() => {});
  const r = await ws.vc("path", "/f.txt", "--frozen");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "run `vc lock` and commit the lock file");
  assert(!r.stderr.includes("fillLock"), r.stderr);
});

Deno.test("each call the library advises is one the library has", async () => {
  const words = await import("../src/command_words.ts");
  const { AssetCache: Cache, VersionedCache: Versioned } = await import("../mod.ts");
  const versioned = await import("../src/versioned/mod.ts");
  const { Repository } = await import("../src/repo/mod.ts");
  const { prefill } = await import("../mod.ts");
  const has: Record<string, unknown> = {
    fillLock: versioned.fillLock,
    checkLock: versioned.checkLock,
    prefill,
    "Repository.init": Repository.init,
    "Repository.restore": Repository.restore,
    "Repository.open": Repository.open,
    mirror: (await import("../src/mirror/mod.ts")).mirror,
  };
  for (const m of ["update", "add", "versions", "lsRemote", "path", "sync", "adopt"]) {
    has[m] = (Versioned.prototype as unknown as Record<string, unknown>)[m];
  }
  for (const m of ["prune", "verify", "delete", "cache", "invalidate"]) {
    has[m] = (Cache.prototype as unknown as Record<string, unknown>)[m];
  }
  for (const m of ["backup", "check", "gc", "list", "purge"]) {
    has[m] = (Repository.prototype as unknown as Record<string, unknown>)[m];
  }
  const said = [
    ...words.COMMAND_WORDS.map((w) => w.library),
    words.removeCopy("u"),
    words.updatePath("p"),
    words.cachePath("p"),
    words.versionsOf("p"),
    words.adoptPath("p"),
    words.cacheUri("u"),
    words.addVersion("1.0.0"),
    words.purgeRecord(1),
    words.restoreToCatalog("file:///r"),
  ];
  for (const text of said) {
    for (const [, call] of text.matchAll(/`([\w.]+)\(/g)) {
      assertEquals(typeof has[call!], "function", `${call} in ${text}`);
    }
  }
  // The prune option is maxBytes (prune() refuses any other).
  assertStringIncludes(words.CACHE_PRUNE.library, "maxBytes");
});

Deno.test("a repository's advice: Repository calls in the library, vc repo commands in vc", () => {
  assertEquals(
    withFlagNames(
      "run the Repository's `purge(12)` again to delete it (the Repository's `gc()` deletes it " +
        "too); the Repository's `check()` lists such records",
    ),
    "run `vc repo purge 12` again to delete it (`vc repo gc` deletes it too); `vc repo check` " +
      "lists such records",
  );
});

Deno.test("each step of the table: its library words, said by vc as its command", () => {
  for (const { library, command } of COMMAND_WORDS) {
    assertLibraryWords(library);
    assertEquals(
      withFlagNames(`do this (${library}), then go on`),
      `do this (${command}), then go on`,
    );
    assertEquals(withFlagNames(`first: ${library} again`), `first: ${command} again`);
  }
});

Deno.test("a restore into a store with a hostile URI: JSON for the library, a shell word for vc", () => {
  const uri = "file:///tmp/it's a repo";
  const message = `name the catalog to create: ${restoreToCatalog(uri)} (or postgres://...)`;
  assertStringIncludes(
    message,
    '`Repository.restore("file:///tmp/it\'s a repo", SNAPSHOT, { catalog: "sqlite:PATH" })`',
  );
  assertLibraryWords(message);
  assertEquals(
    withFlagNames(message),
    "name the catalog to create: vc repo restore SNAPSHOT --repo 'file:///tmp/it'\\''s a repo' " +
      "--catalog sqlite:PATH (or postgres://...)",
  );
});

// A snapshot of a repository of one record, for a restore elsewhere.
async function snapshotIn(dir: string): Promise<string> {
  await using repo = await Repository.init(`file://${join(dir, "original")}`);
  await repo.add("/a.txt", new TextEncoder().encode("a"));
  return (await repo.backup(`file://${join(dir, "backups")}`)).uri;
}

Deno.test("a restore into a store that is no repository: Repository.restore's catalog option, vc's --repo and --catalog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_command_words_restore_" });
  try {
    const snapshot = await snapshotIn(dir);
    await Deno.mkdir(join(dir, "store"));
    const uri = `file://${join(dir, "store")}`;
    const message = ((await assertRejects(() =>
      Repository.restore(uri, snapshot)
    )) as Error).message;
    assertStringIncludes(message, `${restoreToCatalog(uri)} (or postgres://...)`);
    assertLibraryWords(message);
    assertStringIncludes(
      withFlagNames(message),
      `vc repo restore SNAPSHOT --repo ${uri} --catalog sqlite:PATH (or postgres://...)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lost SQLite catalog: Repository.restore(URI, SNAPSHOT) for the library, vc repo restore SNAPSHOT for vc", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_command_words_lost_catalog_" });
  try {
    const uri = `file://${join(dir, "store")}`;
    await (await Repository.init(uri, { catalog: `sqlite:${join(dir, "c.sqlite")}` })).close();
    await Deno.remove(join(dir, "c.sqlite"));
    const message = ((await assertRejects(() => Repository.open(uri))) as Error).message;
    assertStringIncludes(message, "rebuilt from a backup: `Repository.restore(URI, SNAPSHOT)`");
    assertLibraryWords(message);
    assertStringIncludes(
      withFlagNames(message),
      "rebuilt from a backup: vc repo restore SNAPSHOT (",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sync whose records cannot be kept: sync() for the library, vc sync for vc", () =>
  withDirectoryBucket("vc_command_words_sync_", async (dir, v) => {
    await v.add("/f.txt", join(dir, "f.txt"));
    const out = join(dir, "out");
    await Deno.mkdir(join(out, ".vc-sync.json"), { recursive: true });
    const message = ((await assertRejects(() => v.sync(out))) as Error).message;
    assertStringIncludes(message, `\`sync()\` cannot keep its records in ${out}`);
    assertLibraryWords(message);
    assertStringIncludes(withFlagNames(message), `vc sync cannot keep its records in ${out}`);
  }));

Deno.test("a Windows name: path() and sync() for the library, `vc path` and vc sync for vc", () =>
  withDirectoryBucket("vc_command_words_windows_name_", async (dir, v) => {
    const warnings: string[] = [];
    await v.add("/con/x.csv", join(dir, "f.txt"), { onWarning: (w) => warnings.push(w.message) });
    const message = warnings.join("\n");
    assertStringIncludes(message, "`path()` reads it there too");
    assertStringIncludes(message, "but `sync()` on Windows refuses");
    assertLibraryWords(message);
    assertStringIncludes(withFlagNames(message), "`vc path` reads it there too");
    assertStringIncludes(withFlagNames(message), "but vc sync on Windows refuses");
  }));

Deno.test("a mirror state file in use: mirror() for the library, vc mirror for vc", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_command_words_mirror_state_" });
  const first = new MirrorState(join(dir, "s.db"));
  try {
    let message = "";
    try {
      new MirrorState(join(dir, "s.db")).close();
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, "another `mirror()` is using the state file");
    assertLibraryWords(message);
    assertStringIncludes(withFlagNames(message), "another vc mirror is using the state file");
  } finally {
    first.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a timeout of never: the AssetCache's immutable cache() for the library, vc cache get --immutable for vc", () => {
  let message = "";
  try {
    parseDurationSeconds("never", "VC_CACHE_TIMEOUT");
  } catch (e) {
    message = (e as Error).message;
  }
  assertStringIncludes(
    message,
    "for one object use the AssetCache's `cache(URI, { immutable: true })`",
  );
  assertLibraryWords(message);
  assertStringIncludes(withFlagNames(message), "for one object use vc cache get --immutable)");
});

Deno.test("vc repo restore into a store that is no repository still names --repo and --catalog", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.mkdir(ws.path("store"));
  const snapshot = await snapshotIn(ws.dir);
  const r = await ws.run(["repo", "restore", snapshot, "--repo", ws.path("store")]);
  assertEquals(r.code === 0, false, r.stderr);
  assertStringIncludes(r.stderr, "vc repo restore SNAPSHOT --repo ");
  assertStringIncludes(r.stderr, " --catalog sqlite:PATH (or postgres://...)");
  assert(!r.stderr.includes("Repository.restore"), r.stderr);
});

Deno.test("an invalidated copy served stale: the AssetCache's invalidate() for the library, vc cache invalidate for vc", () => {
  const said = validatedAgo(0, Date.UTC(2026, 0, 1));
  assertEquals(said, "invalidated (the AssetCache's `invalidate()`)");
  assertLibraryWords(said);
  assertEquals(
    withFlagNames(`serving the cached copy at /c/d, ${said} (503)`),
    "serving the cached copy at /c/d, invalidated (vc cache invalidate) (503)",
  );
});

Deno.test("vc cache get of an invalidated copy, the store gone: its warning says vc cache invalidate", async () => {
  await using ws = await CliWorkspace.create();
  await withStoreGone(ws, async (env) => {
    const stale = await ws.run(["cache", "get", KEPT_URI], env);
    assertEquals(stale.code, 0, stale.stderr);
    assertStringIncludes(stale.stderr, "invalidated (vc cache invalidate)");
    assert(!stale.stderr.includes("AssetCache"), stale.stderr);
  }, async (env) => {
    const invalidated = await ws.run(["cache", "invalidate", KEPT_URI], env);
    assertEquals(invalidated.code, 0, invalidated.stderr);
  });
});

/**
 * A temp dir holding a directory bucket and a file `f.txt`, with a
 * VersionedCache over them (manifest `m.json`, no lock file); removed after.
 */
async function withDirectoryBucket(
  prefix: string,
  test: (dir: string, v: VersionedCache) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "f.txt"), "one");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using v = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: join(dir, "bucket"),
      cache,
      lock: false,
    });
    await test(dir, v);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
