/**
 * A lock file is read up to 64 MiB, and every command that reads the
 * manifest's lock file (`vc path` too) refuses a larger one. Writes had no
 * such limit: the entry of a `vc add` / `vc update` could take a lock file
 * past it (it grows by one entry per version published, and several manifests
 * may share it), and every later command failed. Now no write leaves a lock
 * file larger than vc reads, and `add` / `update` refuse before they publish.
 */
import { InvalidInputError } from "../src/errors.ts";
import { updateLockFile } from "../src/versioned/lock_file.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const LIMIT = 64 * 1024 * 1024;
const SHA = "a".repeat(64);

/** A valid lock file of exactly `bytes` bytes: one entry padded by a field vc keeps. */
function lockText(bytes: number): string {
  const head = `{\n  "/a.csv@1.0.0": {"size": 1, "sha256": "${SHA}", "note": "`;
  const tail = `"}\n}\n`;
  return head + "x".repeat(bytes - head.length - tail.length) + tail;
}

Deno.test("vc add refuses, before it publishes, an entry that would take the lock file past 64 MiB", async () => {
  await using ws = await workspace();
  const lock = ws.vc.lockFile!;
  await Deno.writeTextFile(lock, lockText(LIMIT - 40));
  const file = await writeFile(ws.dir, "b.csv", "b\n");
  const e = await assertRejects(() => ws.vc.add("/b.csv", file), InvalidInputError);
  assertStringIncludes(e.message, `lock file ${lock} would be up to`);
  assertStringIncludes(e.message, "nothing was published");
  assertEquals(await Deno.stat(`${ws.bucket}/b.1.0.0.csv`).catch(() => "absent"), "absent");
  assertEquals(await Deno.stat(ws.manifest).catch(() => "absent"), "absent");
  assertEquals((await Deno.stat(lock)).size, LIMIT - 40);
});

Deno.test("a lock file write that would pass 64 MiB is refused and leaves the file as it was", async () => {
  await using ws = await workspace();
  const lock = ws.vc.lockFile!;
  await Deno.writeTextFile(lock, lockText(LIMIT - 10));
  await assertRejects(
    () => updateLockFile(lock, (e) => void (e["/b.csv@1.0.0"] = { size: 1, sha256: SHA })),
    InvalidInputError,
    `more than the ${LIMIT} (64 MiB) vc reads`,
  );
  assertEquals((await Deno.stat(lock)).size, LIMIT - 10);
});
