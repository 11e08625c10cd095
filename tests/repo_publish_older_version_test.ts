/**
 * `vc repo publish ID` of an older version (a rollback: reviving an expired
 * record) while a newer version of its path is published said only
 * `1 published /a.csv`: yet `current` goes on naming the newer one (the
 * highest id), so nothing was rolled back, and the next gc expires the
 * revived record again as superseded. The publish still happens; a warning
 * now says which version stays current and how to roll back.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo publish of a version older than the published one warns it is not current", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await ws.write("f.txt", "v\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const add = async () => (await ws.run(["repo", "add", "/a.csv", "f.txt"], env)).stdout.trim();
  const [v1, v2] = [await add(), await add()];
  for (const id of [v1, v2]) assertEquals((await ws.run(["repo", "publish", id], env)).code, 0);
  assertEquals((await ws.run(["repo", "expire", v1], env)).code, 0);

  const revived = await ws.run(["repo", "publish", v1], env);
  assertEquals(revived.code, 0, revived.stderr);
  assertEquals(revived.stdout, `${v1} published /a.csv\n`);
  assertStringIncludes(
    revived.stderr,
    `vc: warning: record ${v1} is published, but record ${v2}, a newer version of /a.csv, ` +
      "is published too and stays its current one",
  );
  assertStringIncludes(revived.stderr, `vc repo expire ${v2}`);
  assertStringIncludes(revived.stderr, "gc expires");
  const current = await ws.run(["repo", "current", "/a.csv", "--json"], env);
  assertEquals(current.json<{ id: number }>().id, Number(v2));

  // The newest version, or a path with no other published one: no warning.
  for (const id of [v2, v1]) {
    if (id === v1) assertEquals((await ws.run(["repo", "expire", v2], env)).code, 0);
    const quiet = await ws.run(["repo", "publish", id], env);
    assertEquals([quiet.code, quiet.stderr], [0, ""]);
  }
});
