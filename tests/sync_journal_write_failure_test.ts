/**
 * `AssetCache.copyVerified` tells `onWritten` the bytes written before it
 * renames the copy into place; `vc sync` journals them there (in
 * `DEST/.vc-sync.json.lock`). An error from that callback, such as the
 * journal's disk being full, was reported as "cannot write DEST: no space
 * left…", which sends the user to the file copied rather than the journal.
 * The callback's error is now a `CallbackError` naming `onWritten`, and a
 * sync names its journal.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { CallbackError } from "../src/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

/** What a write to a full disk throws. */
function noSpace(): Error {
  return Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
}

Deno.test("copyVerified: an error from onWritten names the callback, not DEST", async () => {
  const root = await Deno.makeTempDir({ prefix: "copy_verified_on_written_" });
  try {
    await Deno.writeTextFile(`${root}/x.txt`, "x");
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
    const path = await cache.cache(`file://${root}/x.txt`);
    await Deno.writeTextFile(`${root}/out.txt`, "before");
    const thrown = noSpace();
    const error = await assertRejects(
      () =>
        cache.copyVerified(path, `${root}/out.txt`, {
          onWritten: () => {
            throw thrown;
          },
        }),
      CallbackError,
    );
    assertEquals(error.callback, "onWritten");
    assert(error.cause === thrown);
    assert(!error.message.includes("cannot write"), error.message);
    // DEST as it was, and the cached copy still cached.
    assertEquals(await Deno.readTextFile(`${root}/out.txt`), "before");
    assertEquals(await Deno.readTextFile(path), "x");
    // An async one's rejection likewise.
    const rejected = await assertRejects(
      () =>
        cache.copyVerified(path, `${root}/out.txt`, { onWritten: () => Promise.reject(thrown) }),
      CallbackError,
    );
    assert(rejected.cause === thrown);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("vc sync: a journal it cannot write is named, not the file copied", async () => {
  await using ws = await workspace();
  const src = await writeFile(ws.dir, "t.csv", "a,b\n");
  await ws.vc.add("/t.csv", src);
  await ws.vc.path("/t.csv"); // cached: the sync only copies it
  const out = join(ws.dir, "out");
  // The journal is appended synchronously (whole lines); the disk is full.
  const writeSync = Deno.FsFile.prototype.writeSync;
  Deno.FsFile.prototype.writeSync = () => {
    throw noSpace();
  };
  let report;
  try {
    report = await ws.vc.syncSettled(out);
  } finally {
    Deno.FsFile.prototype.writeSync = writeSync;
  }
  assertEquals(report.copied, []);
  assertEquals(report.failed.map((f) => f.path), ["/t.csv"]);
  const message = String(report.failed[0]!.error);
  assertMatch(message, /\.vc-sync\.json\.lock/);
  assertMatch(message, /journal/);
  assert(!message.includes(`cannot write ${join(out, "t.csv")}`), message);
  assert(!message.includes("onWritten"), message);
});
