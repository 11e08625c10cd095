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

// A `vc` subcommand named in a message: what a library error must not hold.
const COMMAND = /\bvc (add|update|lock|sync|prefill|path|versions|ls-remote|cache|repo)\b/;

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
  };
  for (const m of ["update", "add", "versions", "lsRemote", "path"]) {
    has[m] = (Versioned.prototype as unknown as Record<string, unknown>)[m];
  }
  for (const m of ["prune", "verify", "delete", "cache"]) {
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
    words.cacheUri("u"),
    words.addVersion("1.0.0"),
    words.purgeRecord(1),
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
