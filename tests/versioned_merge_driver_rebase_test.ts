/**
 * During `git rebase`, git's "ours" (%A) is the upstream being rebased onto
 * and "theirs" (%B) is the user's own commit being replayed: the other way
 * round from `git merge`. A driver that labels the sides "ours" / "here" and
 * "theirs" / "there" alone then tells a user resolving a rebase that the
 * upstream's version is theirs own. `vc merge-driver` reads whether the work
 * tree git runs it in is mid-rebase and says which side is which, in its
 * conflict markers and in its conflict lines, as git's own markers name
 * `HEAD` and the replayed commit.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { git, repoWithMergeDriver } from "./git_run.ts";
import { rebaseInProgress } from "../src/cli/git_rebase_state.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { mergeVersionedFile } from "../src/versioned/merge.ts";

const manifest = (version: string) => `{\n    "/a.csv": "${version}"\n}\n`;

/** A repo whose `mine` branch moved /a.csv to 1.2.0 and whose main moved it to 1.1.0. */
async function divergedRepo(ws: CliWorkspace): Promise<(...args: string[]) => Promise<string>> {
  const ok = await repoWithMergeDriver(ws.dir);
  await ws.write(".gitattributes", "versioned_assets*.json merge=vc\n");
  await ws.write("versioned_assets.json", manifest("1.0.0"));
  await ok("add", ".gitattributes", "versioned_assets.json");
  await ok("commit", "-qm", "base");
  await ok("checkout", "-qb", "mine");
  await ws.write("versioned_assets.json", manifest("1.2.0"));
  await ok("commit", "-qam", "my change: a.csv 1.2.0");
  await ok("checkout", "-q", "main");
  await ws.write("versioned_assets.json", manifest("1.1.0"));
  await ok("commit", "-qam", "upstream: a.csv 1.1.0");
  await ok("checkout", "-q", "mine");
  return ok;
}

for (const backend of ["--merge", "--apply"]) {
  Deno.test(`git rebase ${backend}: the markers say ours is the upstream and theirs the replayed commit`, async () => {
    await using ws = await CliWorkspace.create();
    const ok = await divergedRepo(ws);
    const mine = (await ok("rev-parse", "--short", "mine")).trim();
    const r = await git(ws.dir, "rebase", backend, "main");
    assertEquals(r.code !== 0, true, r.out);
    const text = await ws.read("versioned_assets.json");
    const lines = text.split("\n");
    const open = lines.find((l) => l.startsWith("<<<<<<<"))!;
    const close = lines.find((l) => l.startsWith(">>>>>>>"))!;
    assertStringIncludes(open, "ours (vc merge-driver)");
    assertStringIncludes(open, "upstream");
    assertStringIncludes(close, "theirs");
    assertStringIncludes(close, `your commit ${mine}`);
    assertStringIncludes(close, "my change: a.csv 1.2.0");
    // Upstream's version under the ours marker, the replayed commit's under theirs.
    assert(
      text.indexOf('"1.1.0"') < text.indexOf("=======") &&
        text.indexOf('"1.2.0"') > text.indexOf("======="),
      text,
    );
    assertStringIncludes(r.out, `"1.1.0" upstream`);
    assertStringIncludes(r.out, `"1.2.0" in your commit ${mine}`);
    // The file stays one vc refuses as holding the driver's conflict (no advice to set it up).
    const parsed = await ws.vc("ls");
    assertEquals(parsed.code, 1);
    assertEquals(parsed.stderr.includes("set up `vc merge-driver`"), false, parsed.stderr);
  });
}

Deno.test("git merge: the markers and lines keep ours here and theirs there", async () => {
  await using ws = await CliWorkspace.create();
  await divergedRepo(ws);
  const r = await git(ws.dir, "merge", "main");
  assertEquals(r.code !== 0, true, r.out);
  const text = await ws.read("versioned_assets.json");
  assertStringIncludes(text, "<<<<<<< ours (vc merge-driver)\n");
  assertStringIncludes(text, ">>>>>>> theirs\n");
  assertStringIncludes(r.out, `"1.2.0" here, "1.1.0" there`);
});

Deno.test("rebaseInProgress: undefined outside a repository and outside a rebase", async () => {
  await using ws = await CliWorkspace.create();
  assertEquals(await rebaseInProgress(ws.dir), undefined);
  await divergedRepo(ws);
  assertEquals(await rebaseInProgress(ws.dir), undefined);
  // A linked work tree's .git is a file naming its git dir.
  await git(ws.dir, "worktree", "add", "-q", join(ws.dir, "wt"), "main");
  const r = await git(join(ws.dir, "wt"), "rebase", "mine");
  assertEquals(r.code !== 0, true, r.out);
  const state = await rebaseInProgress(join(ws.dir, "wt"));
  assertEquals(state?.subject, "upstream: a.csv 1.1.0");
});

Deno.test("mergeVersionedFile in a rebase: a base holding its rebase markers still reads as the driver's", () => {
  const sides = { commit: "b78d1dc", subject: "my change" };
  const first = mergeVersionedFile(
    manifest("1.0.0"),
    manifest("1.1.0"),
    manifest("1.2.0"),
    "m.json",
    { rebase: sides },
  );
  assertEquals(first.conflicts.length, 1);
  // As a criss-cross merge's virtual base: read, its entry undecided.
  const again = mergeVersionedFile(first.text, manifest("1.3.0"), manifest("1.3.0"), "m.json");
  assertEquals(parseManifest(again.text, "m.json"), { "/a.csv": "1.3.0" });
});

/**
 * {@linkcode divergedRepo} with `mine` moved back to main's parent and given
 * a commit of another file, and /a.csv 1.2.0 in the manifest left
 * uncommitted (the user's edit).
 */
async function uncommittedManifestEdit(
  ws: CliWorkspace,
): Promise<(...args: string[]) => Promise<string>> {
  const ok = await divergedRepo(ws);
  await ok("reset", "-q", "--hard", "main~1");
  await ws.write("other.txt", "x\n");
  await ok("add", "other.txt");
  await ok("commit", "-qm", "my change: other.txt");
  await ws.write("versioned_assets.json", manifest("1.2.0"));
  return ok;
}

for (const backend of ["--merge", "--apply"]) {
  Deno.test(`git rebase ${backend} --autostash: the stash applied at its end is labelled as a merge`, async () => {
    // At the rebase's end git applies the autostash (the user's uncommitted
    // edit) while the rebase's state files are still there, the last commit
    // replayed in them: ours is the rebased branch and theirs the user's
    // uncommitted edit, not the upstream and a commit being replayed.
    await using ws = await CliWorkspace.create();
    await uncommittedManifestEdit(ws);
    const r = await git(ws.dir, "rebase", backend, "--autostash", "main");
    const text = await ws.read("versioned_assets.json");
    assertStringIncludes(text, "<<<<<<< ours (vc merge-driver)\n", r.out);
    assertStringIncludes(text, ">>>>>>> theirs\n", r.out);
    assertEquals(text.includes("upstream") || text.includes("your commit"), false, text);
  });
}

Deno.test("git rebase stopped at an edit: a stash popped there is labelled as a merge", async () => {
  // Stopped at `edit`, the commit is replayed already: a merge the user runs
  // there (`git stash pop` of an edit of the manifest) has ours the rebased
  // HEAD and theirs the stash, not the upstream and a commit being replayed.
  await using ws = await CliWorkspace.create();
  const ok = await uncommittedManifestEdit(ws);
  await ok("stash", "-q");
  await ok("config", "sequence.editor", "sed -i 1s/^pick/edit/");
  const r = await git(ws.dir, "rebase", "-i", "main");
  assertEquals(r.code, 0, r.out);
  const pop = await git(ws.dir, "stash", "pop");
  assertEquals(pop.code !== 0, true, pop.out);
  const text = await ws.read("versioned_assets.json");
  assertStringIncludes(text, "<<<<<<< ours (vc merge-driver)\n", pop.out);
  assertStringIncludes(text, ">>>>>>> theirs\n", pop.out);
});
