/**
 * `vc repo add --tag a,,b` (or `--tag "$A,$B"` with B unset) silently
 * dropped the empty item and added the record without the tag meant, while
 * an empty list (`--tag ""`) is refused for that very reason. An empty item
 * of any tag list (`tag`, `untag`, `find --any/--all/--exclude`) is now a
 * usage error naming the flag and the list.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo tag lists: an empty item is a usage error, as an empty list is", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "x\n");
  const repo = ["--repo", ws.bucket];
  const cases: Array<[string[], string]> = [
    [["repo", "add", "/a.csv", "a.csv", "--tag", "a,,b"], "--tag"],
    [["repo", "add", "/a.csv", "a.csv", "--tag", "a,"], "--tag"],
    [["repo", "add", "/a.csv", "a.csv", "--tag", ",a"], "--tag"],
    [["repo", "add", "/a.csv", "a.csv", "--tag", "a, ,b"], "--tag"],
    [["repo", "tag", "42", "raw,,eu"], "TAGS"],
    [["repo", "untag", "42", "raw,"], "TAGS"],
    [["repo", "find", "--any", "a,,b"], "--any"],
    [["repo", "find", "--any", "a", "--exclude", "done,"], "--exclude"],
  ];
  for (const [args, flag] of cases) {
    const r = await ws.run([...args, ...repo]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${flag}: `);
    assertStringIncludes(r.stderr, "empty item");
  }
  // Spaces around items are still dropped and a repeated tag counts once.
  const spaced = await ws.run(["repo", "tag", "42", " raw , eu ,raw", ...repo]);
  assertEquals(spaced.stderr.includes("empty item"), false, spaced.stderr);
  // The empty list keeps its own message, now naming the flag in both forms.
  const blank = await ws.run(["repo", "add", "/a.csv", "a.csv", "--tag", "", ...repo]);
  assertStringIncludes(blank.stderr, '--tag: tags "" name no tag (empty)');
  const commas = await ws.run(["repo", "add", "/a.csv", "a.csv", "--tag", ", ,", ...repo]);
  assertStringIncludes(commas.stderr, '--tag: tags ", ," name no tag (only commas and spaces)');
});
