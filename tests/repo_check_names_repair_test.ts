/**
 * `vc repo check` said what was wrong (`record 1 (…): missing: no content
 * object`, `orphan …`) and left the user to find which command repairs it.
 * Each finding now names it: a record whose content is missing or differs
 * (put the content back, or `vc repo expire ID`, then `vc repo purge ID`, with
 * the `--repo` the check was given),
 * an orphan (`vc repo gc`), a record the store failed on (check again). A
 * store failing on every record names the first 20 and counts the rest.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { checkLines } from "../src/cli/check_lines.ts";

Deno.test("vc repo check: each finding names the command that repairs it", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  for (const name of ["a", "b"]) {
    await ws.write(`${name}.txt`, name);
    assertEquals(
      (await ws.run(["repo", "add", `/${name}.txt`, `${name}.txt`, "--repo", repo])).code,
      0,
    );
  }
  const json = JSON.parse((await ws.run(["repo", "ls", "--repo", repo, "--json"])).stdout);
  const key = (id: number) =>
    join(ws.dir, "repo", json.find((r: { id: number }) => r.id === id).contentKey);
  await Deno.remove(key(1));
  await Deno.writeTextFile(key(2), "B");

  const check = await ws.run(["repo", "check", "--repo", repo]);
  assertEquals(check.code, 1);
  const lines = check.stdout.split("\n");
  const missing = lines.find((l) => l.startsWith("record 1 ")) ?? "";
  assertStringIncludes(missing, "missing");
  assertStringIncludes(
    missing,
    `vc repo expire 1 --repo ${repo} (if published), then vc repo purge 1 --repo ${repo}`,
  );
  const changed = lines.find((l) => l.startsWith("record 2 ")) ?? "";
  assertStringIncludes(changed, "md5 mismatch");
  assertStringIncludes(changed, "put the recorded content back at content/");
  assertStringIncludes(changed, "vc repo purge 2");
});

Deno.test("repo check lines: records the store failed on are named, 20 at most, with what to do", () => {
  const lines = checkLines({
    records: 30,
    problems: [],
    orphans: [],
    recentOrphans: [],
    unchecked: Array.from(
      { length: 30 },
      (_, i) => ({ id: i + 1, key: `content/${i}`, error: "HEAD failed: 500" }),
    ),
    removedTemps: [],
    pendingUploads: [],
    ok: false,
  }, "7d");
  const named = lines.filter((l) => l.includes(": not checked: HEAD failed: 500"));
  assertEquals(named.length, 20);
  assertStringIncludes(
    lines.join("\n"),
    "... and 10 more records not checked (--json lists them all)",
  );
  assertStringIncludes(lines.join("\n"), "30 records not checked");
  assertStringIncludes(lines.join("\n"), "run vc repo check again once the store answers");
  assertEquals(lines.at(-1), "30 records checked: 0 problems, 0 orphans, 30 not checked");
});
