/**
 * `vc repo publish ID` of a record published already (and `vc repo expire`
 * of one expired already) printed `1 published /a.csv` again, as if it had
 * been published now: the rerun changed nothing (the first publish time
 * stays), yet read like an action, while `vc repo tag` says `already
 * tagged`. The line now says it was so already; the state change itself
 * still prints as before, and `--json` is the record either way.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo publish and repo expire of a record in that state already say so", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await ws.write("f.txt", "v\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const id = (await ws.run(["repo", "add", "/a.csv", "f.txt"], env)).stdout.trim();
  const run = async (...args: string[]) => {
    const r = await ws.run(["repo", ...args], env);
    assertEquals([r.code, r.stderr], [0, ""]);
    return r.stdout;
  };

  assertEquals(await run("publish", id), `${id} published /a.csv\n`);
  assertEquals(await run("publish", id), `${id} published /a.csv (already: nothing changed)\n`);
  assertEquals(await run("expire", id), `${id} expired /a.csv\n`);
  assertEquals(await run("expire", id), `${id} expired /a.csv (already: nothing changed)\n`);
  // Reviving it is a change again.
  assertEquals(await run("publish", id), `${id} published /a.csv\n`);
  // --json: the record, as before.
  const json = JSON.parse(await run("publish", id, "--json")) as { id: number; state: string };
  assertEquals([json.id, json.state], [Number(id), "published"]);
});
