/**
 * `vc repo untag ID T` when T is on the record and on its path too: the
 * record tag goes, but the record still shows T through its path. The
 * command says so and names the `untag /PATH` that removes it (README), as
 * it does when T is only on the path; before, it printed "untagged ID: T"
 * alone while `get` and `find --exclude T` still saw T on the record.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo untag ID of a tag on the record and its path says the path still carries it", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await ws.write("f.csv", "x\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const id = (await ws.run(["repo", "add", "/p.csv", "f.csv", "--tag", "eu"], env)).stdout.trim();
  assertEquals((await ws.run(["repo", "tag", "/p.csv", "eu"], env)).code, 0);
  const untag = await ws.run(["repo", "untag", id, "eu"], env);
  assertEquals(untag.code, 0, untag.stderr);
  const said = untag.stdout + untag.stderr;
  assertStringIncludes(said, `untagged ${id}: eu`);
  assertStringIncludes(said, "vc repo untag /p.csv eu");
  const record = (await ws.run(["repo", "get", id, "--json"], env)).json<{ tags: string[] }>();
  assertEquals(record.tags, ["eu"]);
});
