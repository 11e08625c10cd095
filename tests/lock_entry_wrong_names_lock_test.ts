/**
 * A lock file entry that is wrong (its size or SHA-256 edited by hand, or
 * taken from another branch) while the store's object is intact: `vc path`,
 * `vc sync` and `vc prefill` said only "the object in the store was replaced
 * or corrupted", sending the user to blame the store, and never named the
 * lock file. When the bytes match the store's own MD5 (its ETag), the store
 * holds what it was given: the lock entry is named as the likely culprit,
 * with `vc lock --check` and `vc lock` as the way out. A size that differs
 * from the entry's names the entry too (the store's object is not read then).
 * Bytes that match the store's MD5 are not downloaded again either. An object
 * the store says changed after the lock file was last written is named as
 * replaced instead.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

const LOCK = "versioned_assets.lock.json";

/** A workspace whose one locked entry then has `edit` applied to its lock line. */
async function lockedThenEdited(
  ws: CliWorkspace,
  edit: (text: string) => string,
  env: Record<string, string> = {},
): Promise<void> {
  await ws.write("a.csv", "hello\n");
  const added = await ws.run(["add", "/a.csv", "a.csv"], env);
  assertEquals(added.code, 0, added.stderr);
  await Deno.writeTextFile(ws.path(LOCK), edit(await ws.read(LOCK)));
}

const wrongHash = (text: string) =>
  text.replace(/"sha256": "(.)/, (_, c) => `"sha256": "${c === "0" ? "1" : "0"}`);
const wrongSize = (text: string) => text.replace(/"size": 6/, `"size": 7`);

function blamesLockEntry(stderr: string, lockPath: string): void {
  assertStringIncludes(stderr, `lock entry "/a.csv@1.0.0" in ${lockPath}`);
  assertStringIncludes(stderr, "vc lock --check");
  assertStringIncludes(stderr, "vc lock`");
  assert(!stderr.includes("the object in the store was replaced or corrupted"), stderr);
  // The bytes are what the store holds: fetched again, the same.
  assert(!stderr.includes("trying again"), stderr);
}

for (const [name, edit] of [["SHA-256", wrongHash], ["size", wrongSize]] as const) {
  Deno.test(`a lock entry with a wrong ${name}: vc path, sync and prefill name the lock entry`, async () => {
    await using ws = await CliWorkspace.create();
    const env = { VC_BUCKET: ws.bucket };
    await lockedThenEdited(ws, edit, env);
    for (const args of [["path", "/a.csv"], ["sync", "out"], ["prefill"]]) {
      const run = await ws.run(args, env);
      assertEquals(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
      blamesLockEntry(run.stderr, ws.path(LOCK));
    }
  });
}

Deno.test("a lock entry with a wrong SHA-256 on S3: the lock entry is named as the culprit", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const env = { ...s3.env, VC_BUCKET: "s3://b" };
  await withProcessEnv(s3.env, async () => {
    await lockedThenEdited(ws, wrongHash, env);
    const run = await ws.run(["path", "/a.csv"], env);
    assertEquals(run.code, 1, run.stderr);
    blamesLockEntry(run.stderr, ws.path(LOCK));
  });
});

/**
 * The store's object replaced after the lock file was last written (the
 * entry right): its bytes match the store's own MD5 too, yet the lock entry
 * was named as wrong ("edited by hand, or taken from another branch").
 */
for (const [name, content] of [["SHA-256", "world\n"], ["size", "worlds\n"]] as const) {
  Deno.test(`an object replaced (${name}) after its lock was written is named as replaced, not the entry`, async () => {
    await using ws = await CliWorkspace.create();
    const env = { VC_BUCKET: ws.bucket };
    await lockedThenEdited(ws, (text) => text, env);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await Deno.utime(ws.path(LOCK), hourAgo, hourAgo);
    await Deno.writeTextFile(`${ws.bucketDir}/a.1.0.0.csv`, content);
    const run = await ws.run(["path", "/a.csv"], env);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, `after ${ws.path(LOCK)} was last written`);
    assertStringIncludes(run.stderr, `it was replaced after "/a.csv@1.0.0" was locked`);
    assert(!run.stderr.includes("is wrong"), run.stderr);
    assert(!run.stderr.includes("trying again"), run.stderr);
  });
}

Deno.test("vc lock --check of an entry whose bytes match the store's MD5 downloads it once", async () => {
  // The check's own download names no lock entry (it is the way out), but
  // another try would fetch the same bytes all the same: it was fetched
  // again, the whole object each time.
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const env = { ...s3.env, VC_BUCKET: "s3://b" };
  await withProcessEnv(s3.env, async () => {
    await lockedThenEdited(ws, wrongHash, env);
    const before = s3.stats.GetObject;
    const run = await ws.run(["lock", "--check"], env);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stdout, "mismatch");
    assert(!run.stderr.includes("trying again"), run.stderr);
    assertEquals(s3.stats.GetObject - before, 1, run.stderr);
  });
});
