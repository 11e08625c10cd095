/**
 * `vc lock --check` after a merge resolved by hand (`git checkout --theirs`
 * of the lock file, or a line merge that lost a side's entry): the manifest
 * pins a version the lock file has no entry for. The check listed it as
 * `unlocked` among the `ok` lines and exited 0 with no other word, so in a
 * manifest of thousands the one entry whose content nothing checks any more
 * passed unseen, though the conflict hint says to run this very check. It
 * still exits 0 (only `--frozen` refuses such an entry), but a warning names
 * the entries and the way to lock them.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("lock --check names the manifest entries the lock file does not lock", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "bucket", "a.1.0.0.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "bucket", "b.1.0.0.csv"), "b\n");
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/a.csv": "1.0.0"}\n');
    ok(await vc(["lock"]), "lock");
    // The other side's pin came in; its lock entry did not.
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      '{"/a.csv": "1.0.0", "/b.csv": "1.0.0"}\n',
    );
    const run = await vc(["lock", "--check"]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "unlocked  /b.csv  1.0.0");
    const warning = run.stderr.split("\n").find((l) => l.includes("not locked")) ?? "";
    assertStringIncludes(warning, "1 of 2 manifest entries is not locked in ");
    assertStringIncludes(warning, "versioned_assets.lock.json");
    assertStringIncludes(warning, "/b.csv@1.0.0");
    assertStringIncludes(warning, "`vc lock`");
    // --json keeps stdout to the results; the warning is on stderr there too.
    const json = await vc(["lock", "--check", "--json"]);
    assertEquals(JSON.parse(json.stdout)[1].status, "unlocked");
    assertStringIncludes(json.stderr, "is not locked in ");
    // Once locked, nothing is said.
    ok(await vc(["lock"]), "lock");
    const locked = await vc(["lock", "--check"]);
    assertEquals([locked.code, locked.stderr.includes("not locked")], [0, false], locked.stderr);
  });
});
