/**
 * `vc lock --check` in CI, once a locked object no longer holds its locked
 * content (replaced in the bucket, or a lock entry edited by hand): it listed
 * the entries and ended on `… differ from LOCKFILE`, with no word on what to
 * do, and the obvious guess, `vc lock`, keeps the entries it has and changes
 * nothing. It now says the ways out: put the content back or publish it as a
 * new version, take the lock file back from version control, or delete the
 * entry and `vc lock` to trust what the bucket holds now. The per-entry
 * problem no longer says "nothing was cached" (the check never caches).
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("lock --check with a replaced object says how to resolve it", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "bucket", "t.1.0.0.csv"), "a,b\n1,2\n");
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/t.csv": "1.0.0"}\n');
    ok(await vc(["lock"]), "lock");
    await Deno.writeTextFile(join(dir, "bucket", "t.1.0.0.csv"), "a,b\n6,6\n");
    const run = await vc(["lock", "--check"]);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stdout, "mismatch  /t.csv  1.0.0");
    assertEquals(run.stdout.includes("nothing was cached"), false, run.stdout);
    const advice = run.stderr.split("\n").find((l) => l.startsWith("vc: to resolve")) ?? "";
    assertStringIncludes(advice, "`vc update /PATH FILE`");
    assertStringIncludes(advice, "take the lock file back from version control");
    assertStringIncludes(advice, "delete its entry from ");
    assertStringIncludes(advice, "versioned_assets.lock.json and run `vc lock`");
    // --json keeps stdout to the results; the advice is on stderr there too.
    const json = await vc(["lock", "--check", "--json"]);
    assertEquals(JSON.parse(json.stdout)[0].status, "mismatch");
    assertStringIncludes(json.stderr, "vc: to resolve");
    // A deleted object: the same advice.
    await Deno.remove(join(dir, "bucket", "t.1.0.0.csv"));
    const missing = await vc(["lock", "--check"]);
    assertStringIncludes(missing.stdout, "missing");
    assertStringIncludes(missing.stderr, "vc: to resolve");
  });
});

Deno.test("lock --check refusing an unlocked entry gives no advice for a mismatch", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "bucket", "t.1.0.0.csv"), "a,b\n1,2\n");
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/t.csv": "1.0.0"}\n');
    const run = await vc(["lock", "--check", "--frozen"]);
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "is not locked");
    assertEquals(run.stderr.includes("to resolve"), false, run.stderr);
  });
});
