/**
 * `vc repo adopt KEY PATH` end to end in-process: the orphans `vc repo check
 * --json` lists (old unreferenced content, and content gc keeps since a
 * restore of an older snapshot) adopted by their keys as a script would,
 * after which check passes, gc keeps them, and `check`'s lines name the
 * command. Hostile keys and young objects are refused with exit 1 and a
 * message naming the key; the help starts with its examples.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { restoredOlderSnapshot } from "./repo_snapshot.ts";

Deno.test("vc repo adopt records the orphans vc repo check --json lists, by their keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_cli_repo_adopt_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    // A restore of an older snapshot: what was added since is kept by gc, named by no record.
    const { laterKey } = await restoredOlderSnapshot(uri);
    // And an object put behind vc's back since (an orphan once past the grace: --grace 0).
    const stray = "content/ff/ffffffff-stray.csv";
    await Deno.mkdir(join(dir, "repo", "content", "ff"), { recursive: true });
    await Deno.writeTextFile(join(dir, "repo", stray), "x,y\n");
    const later = new Date(Date.now() + 1000);
    await Deno.utime(join(dir, "repo", stray), later, later);

    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
      const code = await runCli(args, io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    const checked = await cli("repo", "check", "--grace", "0");
    assertEquals(checked.code, 1);
    assertStringIncludes(checked.stdout, `vc repo adopt ${stray} PATH)`);
    assertStringIncludes(checked.stdout, "record what you need with vc repo adopt KEY PATH");

    // As a script does: the keys from check's JSON, each adopted.
    const report = JSON.parse((await cli("repo", "check", "--grace", "0", "--json")).stdout);
    const keys: string[] = [
      ...report.orphans.map((o: { key: string }) => o.key),
      ...(report.keptRestored ?? []).map((o: { key: string }) => o.key),
    ];
    assertEquals(keys.sort(), [laterKey, stray].sort());
    const ids: number[] = [];
    for (const key of keys) {
      const adopted = await cli(
        "repo",
        "adopt",
        key,
        `/adopted/${key.split("/").at(-1)}`,
        "--json",
        // Content gc keeps since the restore is adopted whatever its age; the new stray needs it.
        ...(key === stray ? ["--grace", "0"] : []),
      );
      assertEquals(adopted.code, 0, adopted.stderr);
      const record = JSON.parse(adopted.stdout);
      assertEquals([record.contentKey, record.state], [key, "unpublished"]);
      ids.push(record.id);
      assertEquals((await cli("repo", "publish", String(record.id))).code, 0);
    }
    const after = await cli("repo", "check", "--grace", "0", "--json");
    assertEquals(after.code, 0, after.stdout);
    const gc = JSON.parse((await cli("repo", "gc", "--json")).stdout);
    assertEquals([gc.deletedObjects, gc.keptRestored], [[], []]);

    // Adopted again, or keys that are no content: refused, nothing recorded.
    for (
      const [key, why] of [
        [stray, `record ${ids[keys.indexOf(stray)]} (published) already names it`],
        [".vc-repo.json", "is not under content/"],
        ["content/../.vc-repo.json", "is not shaped like a content key"],
      ]
    ) {
      const refused = await cli("repo", "adopt", key!, "/x.csv");
      assertEquals(refused.code, 1, refused.stderr);
      assertStringIncludes(refused.stderr, why!);
    }
    // A new object: maybe an add in flight, refused but with --grace 0.
    const fresh = "content/ee/eeeeeeee-fresh.csv";
    await Deno.mkdir(join(dir, "repo", "content", "ee"), { recursive: true });
    await Deno.writeTextFile(join(dir, "repo", fresh), "f\n");
    const young = await cli("repo", "adopt", fresh, "/fresh.csv");
    assertEquals(young.code, 1);
    assertStringIncludes(young.stderr, "with --grace 0 if nothing is adding it");
    const forced = await cli("repo", "adopt", fresh, "/fresh.csv", "--grace", "0", "--tag", "raw");
    assertEquals(forced.code, 0, forced.stderr);
    const id = forced.stdout.trim();
    const shown = JSON.parse((await cli("repo", "get", id, "--json")).stdout);
    assertEquals([shown.contentKey, shown.size, shown.tags], [fresh, 2, ["raw"]]);
    assertEquals((await cli("repo", "ls", "--json")).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo adopt --help starts with its examples and names --hash and --grace", async () => {
  const io = memoryIo({ env: { NO_COLOR: "1" } });
  assertEquals(await runCli(["repo", "adopt", "--help"], io), 0);
  const help = io.stdout();
  assertStringIncludes(help, "Examples:\n  vc repo adopt ");
  for (const flag of ["--hash", "--grace", "--tag", "--repo"]) assertStringIncludes(help, flag);
  // Its listing names what a restore left (kept by gc until --release-restored) too.
  assertStringIncludes(help, "jq -r '.orphans[].key, (.keptRestored // [])[].key'");
});
