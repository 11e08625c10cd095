/**
 * `git rebase --rebase-merges` redoes the merge commits of the branch it
 * rebases (`merge -C <commit> <label>` in its todo list). In such a step
 * git's ours is the user's own branch as rebased so far and theirs the
 * branch the merge brings in (the commit that `label` named), not the
 * upstream and a commit being replayed as in a `pick`. `vc merge-driver`
 * names the sides so, in its markers and its conflict lines. A merge the
 * user runs at a `break` (a `git stash pop`) is labelled as a merge.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { git, repoWithMergeDriver } from "./git_run.ts";
import { rebaseInProgress } from "../src/cli/git_rebase_state.ts";

const manifest = (version: string, more = "") =>
  `{\n    "/a.csv": "${version}"${more === "" ? "" : `,\n    ${more}`}\n}\n`;

/**
 * `mine` holds a merge of `side` (/a.csv 1.1.0) into its own /a.csv 1.2.0,
 * resolved to 1.2.0; main added /c.csv since.
 */
async function branchWithMerge(ws: CliWorkspace): Promise<(...args: string[]) => Promise<string>> {
  const ok = await repoWithMergeDriver(ws.dir, "%O %A %B %P");
  await ws.write(".gitattributes", "versioned_assets*.json merge=vc\n");
  await ws.write("versioned_assets.json", manifest("1.0.0"));
  await ok("add", ".gitattributes", "versioned_assets.json");
  await ok("commit", "-qm", "base");
  await ok("checkout", "-qb", "side");
  await ws.write("versioned_assets.json", manifest("1.1.0"));
  await ok("commit", "-qam", "side: a.csv 1.1.0");
  await ok("checkout", "-qb", "mine", "main");
  await ws.write("versioned_assets.json", manifest("1.2.0"));
  await ok("commit", "-qam", "mine: a.csv 1.2.0");
  const merged = await git(ws.dir, "merge", "-q", "--no-ff", "side", "-m", "merge side in");
  assertEquals(merged.code !== 0, true, merged.out);
  await ws.write("versioned_assets.json", manifest("1.2.0"));
  await ok("commit", "-qam", "merge side in");
  await ok("checkout", "-q", "main");
  await ws.write("versioned_assets.json", manifest("1.0.0", '"/c.csv": "1.0.0"'));
  await ok("commit", "-qam", "upstream: c.csv");
  await ok("checkout", "-q", "mine");
  return ok;
}

Deno.test("git rebase --rebase-merges: a merge step's markers name your rebased branch and the branch merged in", async () => {
  await using ws = await CliWorkspace.create();
  const ok = await branchWithMerge(ws);
  const mergeCommit = (await ok("rev-parse", "--short=7", "mine")).trim();
  const r = await git(ws.dir, "rebase", "--rebase-merges", "main");
  assertEquals(r.code !== 0, true, r.out);
  const text = await ws.read("versioned_assets.json");
  const lines = text.split("\n");
  const open = lines.find((l) => l.startsWith("<<<<<<<"))!;
  const close = lines.find((l) => l.startsWith(">>>>>>>"))!;
  // Ours is the user's branch (holding 1.2.0), not the upstream.
  assertStringIncludes(open, "ours (vc merge-driver)");
  assertEquals(open.includes("upstream"), false, open);
  assertStringIncludes(open, "your branch");
  // Theirs is the branch the merge brings in, by its label, and the merge being redone.
  assertStringIncludes(close, "side");
  assertStringIncludes(close, `your merge ${mergeCommit}`);
  assertStringIncludes(close, "(merge side in)");
  assertEquals(close.includes("being replayed"), false, close);
  assertEquals(close.includes("#"), false, close);
  assert(
    text.indexOf('"1.2.0"') < text.indexOf("=======") &&
      text.indexOf('"1.1.0"') > text.indexOf("======="),
    text,
  );
  assertEquals(r.out.includes(`"1.2.0" upstream`), false, r.out);
  assertStringIncludes(r.out, `"1.2.0" in your rebased branch`);
  // The driver's file, as any: vc refuses it until resolved.
  assertEquals((await ws.vc("ls")).code, 1);
});

Deno.test("rebaseInProgress: a merge step names the label merged in; a break is no replay", async () => {
  await using ws = await CliWorkspace.create();
  const state = `${ws.dir}/.git/rebase-merge`;
  await Deno.mkdir(state, { recursive: true });
  const id = "30969ec6c874fb1a5195798a158d439f48e75ed4";
  await Deno.writeTextFile(
    `${state}/done`,
    `label onto\nreset onto\npick ${"c".repeat(40)} x\nmerge -C ${id} merge-side # merge side in\n`,
  );
  assertEquals(await rebaseInProgress(ws.dir), {
    commit: "30969ec",
    subject: "merge side in",
    merged: "merge-side",
  });
  // A new merge (no -C: no commit of its own) and an octopus.
  await Deno.writeTextFile(`${state}/done`, `merge a-b c-d # Merge a-b and c-d\n`);
  assertEquals(await rebaseInProgress(ws.dir), {
    subject: "Merge a-b and c-d",
    merged: "a-b, c-d",
  });
  // Stopped at a `break` (or past an `exec`): a `git stash pop` there is a merge.
  await Deno.writeTextFile(`${state}/done`, `pick ${"c".repeat(40)} x\nbreak\n`);
  assertEquals(await rebaseInProgress(ws.dir), undefined);
});
