/**
 * The README's intro called a plain directory "the embedded default store",
 * but vc has no default store: with no bucket set, a newcomer's first
 * `vc add` stops with "no bucket configured" (exit 2), and its hint named
 * `file:///srv/assets`, a system path a newcomer cannot write. The hint now
 * gives the plain-directory store as a command to copy (`--bucket ./assets`,
 * `VC_BUCKET=./assets`), which works as given, and the README says the same;
 * vc still never picks a store by itself.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const README = new URL("../README.md", import.meta.url);

Deno.test("no bucket configured: the hint's plain-directory example works as given", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("x.csv", "a,b\n");
  const refused = await ws.run(["add", "/x.csv", "x.csv"]);
  assertEquals(refused.code, 2, refused.stderr);
  assertStringIncludes(refused.stderr, "add: no bucket configured");
  assertStringIncludes(refused.stderr, "--bucket ./assets");
  assertStringIncludes(refused.stderr, "VC_BUCKET=./assets");
  assertStringIncludes(refused.stderr, "no cloud account");
  // Nothing was made by the refusal: vc picks no store by itself.
  assertEquals(await names(ws.dir), ["bucket", "home", "x.csv"]);

  const added = await ws.run(["add", "/x.csv", "x.csv", "--bucket", "./assets"]);
  assertEquals(added.code, 0, added.stderr);
  const again = await ws.run(["path", "/x.csv"], { VC_BUCKET: "./assets" });
  assertEquals(again.code, 0, again.stderr);
  assertEquals(await Deno.readTextFile(again.stdout.trim()), "a,b\n");
});

Deno.test("the README's intro says how a plain directory becomes the store, as the hint does", async () => {
  const text = await Deno.readTextFile(README);
  const intro = text.slice(0, text.indexOf("## Asset cache"));
  assert(!/embedded default/.test(intro), "vc has no default store");
  assertStringIncludes(intro, "--bucket ./assets");
  assertStringIncludes(intro, "VC_BUCKET");
  assertStringIncludes(intro, "no bucket configured");
});

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}
