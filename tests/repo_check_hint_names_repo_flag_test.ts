/**
 * `vc repo check`'s repair hints named `vc repo purge ID` without the
 * repository: pasted after `vc repo check --repo URI` (no `VC_REPO`, no
 * settings), that command failed with "no repository given". When the
 * repository came from `--repo`, the hint now carries `--repo URI`, quoted
 * for the shell; from `VC_REPO` it does not (the pasted command finds it).
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { checkLines } from "../src/cli/check_lines.ts";

Deno.test("vc repo check: a repair hint carries the --repo it was given, quoted", async () => {
  await using ws = await CliWorkspace.create();
  // A plain path with a space: the shell needs it quoted.
  const repo = join(ws.dir, "my repo");
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  await ws.write("a.txt", "a");
  assertEquals((await ws.run(["repo", "add", "/a.txt", "a.txt", "--repo", repo])).code, 0);
  const [record] = JSON.parse((await ws.run(["repo", "ls", "--repo", repo, "--json"])).stdout);
  await Deno.remove(join(ws.dir, "my repo", record.contentKey));

  const flagged = await ws.run(["repo", "check", "--repo", repo]);
  assertEquals(flagged.code, 1);
  assertStringIncludes(
    flagged.stdout,
    `vc repo expire 1 --repo '${repo}' (if published), then vc repo purge 1 --repo '${repo}'`,
  );
  const lines = checkLines(
    {
      records: 2,
      problems: [],
      orphans: [{ key: "content/x", size: 1, lastModified: "2026-01-01T00:00:00Z" }],
      recentOrphans: [],
      unchecked: [{ id: 2, key: "content/y", error: "HEAD failed: 500" }],
      removedTemps: [],
      pendingUploads: [],
      ok: false,
    },
    "7d",
    repo,
  ).join("\n");
  assertStringIncludes(lines, `vc repo gc --repo '${repo}' deletes it`);
  assertStringIncludes(lines, `run vc repo check --repo '${repo}' again`);
  // The hint as printed works when pasted: purge finds the repository.
  const purge = await ws.run(["repo", "purge", "1", "--repo", repo]);
  assertEquals(purge.code, 0, purge.stderr);

  await ws.write("b.txt", "b");
  assertEquals((await ws.run(["repo", "add", "/b.txt", "b.txt", "--repo", repo])).code, 0);
  const b = JSON.parse((await ws.run(["repo", "ls", "--repo", repo, "--json"])).stdout)
    .find((r: { path: string }) => r.path === "/b.txt");
  await Deno.remove(join(ws.dir, "my repo", b.contentKey));
  const fromEnv = await ws.run(["repo", "check"], { VC_REPO: repo });
  assertEquals(fromEnv.code, 1);
  assertStringIncludes(
    fromEnv.stdout,
    `vc repo expire ${b.id} (if published), then vc repo purge ${b.id}\n`,
  );
});
