/**
 * `vc repo check` beside a large `vc repo add`: the add uploads its content,
 * then records it (seconds a GB), and a check in between reported the
 * upload as an orphan and exited 1, a false alarm in a cron job beside a
 * nightly add (gc was safe: it deletes unreferenced content only once
 * older than its grace period). Unreferenced content younger than the grace
 * period (gc's, 7 days by default; `--grace`) is now listed apart as
 * recent, most likely an add in flight, and does not fail the check;
 * `--grace 0` counts it, and older content is an orphan as before.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("vc repo check: fresh unreferenced content is recent, not a failure; old is an orphan", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  await ws.write("f.txt", "f");
  assertEquals((await ws.run(["repo", "add", "/f.txt", "f.txt", "--repo", repo])).code, 0);
  // What an add in flight has uploaded and not yet recorded.
  const stray = join(ws.dir, "repo", "content", "stray.bin");
  await Deno.writeTextFile(stray, "in flight");

  const fresh = await ws.run(["repo", "check", "--repo", repo]);
  assertEquals(fresh.code, 0, fresh.stdout + fresh.stderr);
  assertStringIncludes(fresh.stdout, "content/stray.bin");
  assertStringIncludes(fresh.stdout, "add in flight");
  assertStringIncludes(
    fresh.stdout,
    "1 record checked: 0 problems, 0 orphans, 1 recent unreferenced",
  );
  const json = JSON.parse((await ws.run(["repo", "check", "--repo", repo, "--json"])).stdout);
  assertEquals(
    [json.ok, json.orphans, json.recentOrphans.map((o: { key: string }) => o.key)],
    [true, [], ["content/stray.bin"]],
  );

  // Counted on demand.
  const counted = await ws.run(["repo", "check", "--repo", repo, "--grace", "0"]);
  assertEquals(counted.code, 1);
  assertStringIncludes(counted.stdout, "orphan content/stray.bin");
  assertStringIncludes(counted.stdout, `vc repo gc --repo ${repo} deletes it`);

  // Older than gc's grace period (7 days): an orphan, which fails the check.
  const old = new Date(Date.now() - 8 * 86_400_000);
  await Deno.utime(stray, old, old);
  const stale = await ws.run(["repo", "check", "--repo", repo]);
  assertEquals(stale.code, 1);
  assertStringIncludes(stale.stdout, "1 record checked: 0 problems, 1 orphan");

  const bad = await ws.run(["repo", "check", "--repo", repo, "--grace", "soon"]);
  assertEquals(bad.code, 2, bad.stderr);
  assertStringIncludes(bad.stderr, "--grace");
});

Deno.test("Repository.check: graceMs is checked as gc's is", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_grace_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    await assertRejects(() => repo.check({ graceMs: -1 }), InvalidInputError, "check grace -1 ms");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
