/**
 * A plain local path longer than the system allows (a name past 255 bytes,
 * or a whole path past 4096), given where vc takes a local path, failed with
 * Deno's own "File name too long (os error 36): stat '…'" (for `vc sync`'s
 * DEST, without even the path), naming neither the input it was nor what
 * is wrong with it. Each now says which input, that it is too long, and how
 * long.
 */
import { join } from "node:path";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { tempDir, workspace, writeFile } from "./versioned_helpers.ts";
import { FsStore } from "../src/store/fs.ts";

// A name of 5000 bytes (past NAME_MAX), and a path of ~7700 bytes made of
// names of 250 (past PATH_MAX only).
const LONG_NAME = `/tmp/${"a".repeat(5000)}.txt`;
const LONG_PATH = `/tmp/${Array.from({ length: 30 }, () => "b".repeat(250)).join("/")}.txt`;

// The message names the input (a long one cut in its middle, as every
// message of vc cuts it) and says it is too long, with its length.
function assertNamesTooLong(e: Error, what: string, path: string): void {
  assertStringIncludes(e.message, what);
  assertStringIncludes(e.message, path.slice(0, 30));
  assertStringIncludes(e.message, "is too long for this system (");
  assert(!e.message.startsWith("File name too long"), e.message);
}

// An asset cache in `root`, no settings read, no environment.
function cacheIn(root: string): AssetCache {
  return new AssetCache({ cacheDir: join(root, "cache"), configPath: false, env: {} });
}

for (const [label, path] of [["name", LONG_NAME], ["path", LONG_PATH]] as const) {
  Deno.test(`cache(): a plain local path with a ${label} too long names it`, async () => {
    await using root = await tempDir("vc-local-path-too-long-");
    await using cache = cacheIn(root.path);
    const e = await assertRejects(() => cache.cache(path), InvalidInputError);
    assertNamesTooLong(e, "local path", path);
  });

  Deno.test(`vc add: a FILE with a ${label} too long names it`, async () => {
    await using ws = await workspace();
    const e = await assertRejects(() => ws.vc.add("/x.txt", path), InvalidInputError);
    assertNamesTooLong(e, "file to publish as /x.txt", path);
  });

  Deno.test(`copyVerified(): a destination with a ${label} too long names it`, async () => {
    await using root = await tempDir("vc-local-path-too-long-");
    await using cache = cacheIn(root.path);
    const copy = await cache.cache(`file://${await writeFile(root.path, "x.txt", "x")}`);
    const e = await assertRejects(() => cache.copyVerified(copy, path));
    assertNamesTooLong(e, "cannot write", path);
  });

  Deno.test(`vc sync: a DEST with a ${label} too long names it`, async () => {
    await using ws = await workspace();
    await Deno.writeTextFile(join(ws.dir, "a.csv"), "a\n");
    await ws.vc.add("/a.csv", join(ws.dir, "a.csv"));
    const e = await assertRejects(() => ws.vc.syncSettled(path));
    assertNamesTooLong(e, "cannot open the lock file", path);
  });
}

Deno.test("a directory store (--bucket ./DIR) with a name too long names it", async () => {
  await using store = new FsStore(LONG_NAME);
  const e = await assertRejects(async () => {
    for await (const _ of store.list("q.")) { /* nothing to list */ }
  }, InvalidInputError);
  assertNamesTooLong(e, "the store's directory", LONG_NAME);
});

Deno.test("vc versions: a --bucket directory with a name too long names it", async () => {
  await using ws = await workspace({ bucket: LONG_NAME });
  const e = await assertRejects(() => ws.vc.versions("/q.csv"), InvalidInputError);
  assertNamesTooLong(e, "bucket", LONG_NAME);
});
