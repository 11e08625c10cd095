/**
 * `--catalog` checked as a flag, before anything is made: a value that is no
 * catalog (`--catalog foo`, `mysql://…`) failed deep in the library (exit 1,
 * "catalog "foo" is not sqlite:PATH …", naming no flag), as a malformed
 * `--bucket` no longer does; and an empty one (`--catalog "$PG_URL"` with
 * the variable unset) was taken for no flag at all, so `vc repo init` made
 * the default SQLite catalog beside the content instead of the one meant.
 * The same value from `VC_REPO_CATALOG` stays a failure (exit 1) naming the
 * variable; an empty variable is unset, as for every `VC_*` variable.
 */
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("vc repo init --catalog: a value that is no catalog is a usage error naming the flag, nothing made", async () => {
  await using ws = await CliWorkspace.create();
  const store = ws.path("store");
  await Deno.mkdir(store);
  const uri = pathToFileURL(store).href;
  for (const value of ["foo", "mysql://db/x"]) {
    const r = await ws.run(["repo", "init", uri, "--catalog", value]);
    assertFailure(r, 2, "--catalog", `"${value}"`, "sqlite:PATH or postgres://");
  }
  for (const value of ["", " "]) {
    const r = await ws.run(["repo", "init", uri, `--catalog=${value}`]);
    assertFailure(r, 2, "--catalog is empty");
  }
  assertEquals(await entries(store), [], "nothing was written to the store");
});

Deno.test("vc repo ls --catalog: the same check for every repo command", async () => {
  await using ws = await CliWorkspace.create();
  const store = ws.path("store");
  await Deno.mkdir(store);
  const uri = pathToFileURL(store).href;
  assertEquals((await ws.run(["repo", "init", uri])).code, 0);
  assertFailure(await ws.run(["repo", "ls", "--repo", uri, "--catalog", "foo"]), 2, "--catalog");
  assertFailure(await ws.run(["repo", "ls", "--repo", uri, "--catalog="]), 2, "--catalog is empty");
});

Deno.test("VC_REPO_CATALOG that is no catalog: a failure naming the variable; empty is unset", async () => {
  await using ws = await CliWorkspace.create();
  const store = ws.path("store");
  await Deno.mkdir(store);
  const uri = pathToFileURL(store).href;
  const bad = await ws.run(["repo", "init", uri], { VC_REPO_CATALOG: "foo" });
  assertFailure(bad, 1, "VC_REPO_CATALOG", '"foo"');
  assertEquals(await entries(store), []);
  const empty = await ws.run(["repo", "init", uri], { VC_REPO_CATALOG: "" });
  assertEquals(empty.code, 0, empty.stderr);
  assert((await entries(store)).includes(".vc-repo.json"));
});
