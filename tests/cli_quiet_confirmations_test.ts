/**
 * `--quiet` drops confirmations (README: "notes, warnings and confirmations,
 * never the reason a command exits 1"): a successful `prefill`, `repo gc`,
 * a clean `repo check` and `serve expire` used to print their summaries
 * all the same, so a CI step with `--quiet` was not quiet. What fails is
 * still said.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("--quiet: prefill, repo gc, a clean repo check and serve expire print nothing when all is well", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "a");
  await ws.write("list.txt", `${ws.bucket}/a.txt\n`);
  const repo = pathToFileURL(join(ws.dir, "repo")).href;
  const store = pathToFileURL(join(ws.dir, "store")).href;
  await Deno.mkdir(join(ws.dir, "store"));
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  for (
    const args of [
      ["prefill", "--list", "list.txt"],
      ["repo", "gc", "--repo", repo],
      ["repo", "check", "--repo", repo],
      ["serve", "expire", "--store", store],
    ]
  ) {
    const loud = await ws.run(args);
    assertEquals(loud.code, 0, loud.stderr);
    assertEquals(loud.stdout === "", false, `${args.join(" ")} says what it did without --quiet`);
    const quiet = await ws.run([...args, "--quiet"]);
    assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""], args.join(" "));
    const json = await ws.run([...args, "--json"]);
    assertEquals(typeof JSON.parse(json.stdout), "object", args.join(" "));
  }
});

Deno.test("--quiet: what fails is still said (a prefill item, a repo check problem)", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("list.txt", `${ws.bucket}/missing.txt\n`);
  const prefill = await ws.run(["prefill", "--list", "list.txt", "--quiet"]);
  assertEquals(prefill.code, 1);
  assertStringIncludes(prefill.stderr, "missing.txt");
  const repo = await ws.repoWithContentGone();
  const check = await ws.run(["repo", "check", "--repo", repo, "--quiet"]);
  assertEquals(check.code, 1);
  assertStringIncludes(check.stdout, "record 1");
});
