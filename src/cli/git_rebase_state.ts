/**
 * Whether the git work tree at a directory is in the middle of a rebase,
 * and which commit it is replaying: for `vc merge-driver`, which git runs
 * from the top of the work tree. In a rebase git's "ours" (`%A`) is the
 * upstream being rebased onto and "theirs" (`%B`) the user's own commit, the
 * other way round from a merge; git of 2.39 gives a merge driver no labels
 * (`%X`/`%Y` came later), so the driver reads the rebase's own state files.
 * Read only (vc runs no git: it has no `--allow-run`). The repository is
 * `GIT_DIR` where git sets it (with `--allow-env=GIT_DIR`, which `vc` is
 * installed with), else the `.git` of the work tree.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { printable } from "../printable.ts";
import { envGranted } from "../permission_granted.ts";

/** The commit a rebase is replaying, as far as its state files tell. */
export interface ReplayedCommit {
  /** Its id, shortened to 7 hex digits as git shows one; absent when unknown. */
  commit?: string;
  /** Its subject line, control characters escaped; absent when unknown. */
  subject?: string;
  /**
   * Set when the step redoes a merge (`git rebase --rebase-merges`: `merge
   * -C <commit> <label>`): the label(s) of the branch it brings in, which is
   * theirs; ours is then the user's branch as rebased so far, and `commit`
   * the merge commit being redone.
   */
  merged?: string;
}

// What the driver reads is a few short files: past this, not read on.
const MAX_STATE_BYTES = 1 << 20;

async function readSmall(file: string): Promise<string | undefined> {
  try {
    using f = await Deno.open(file);
    const buf = new Uint8Array(MAX_STATE_BYTES);
    let n = 0;
    for (;;) {
      const got = await f.read(buf.subarray(n));
      if (got === null || got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    return new TextDecoder().decode(buf.subarray(0, n));
  } catch {
    return undefined;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

// `GIT_DIR` (git passes it on, absolute, when the user set it or gave
// `--git-dir`: the work tree has no `.git` then); else `dir/.git`: the git
// dir itself, or a file naming it (a linked work tree, a submodule).
async function gitDirOf(dir: string): Promise<string | undefined> {
  const named = envGranted("GIT_DIR") ? Deno.env.get("GIT_DIR") : undefined;
  if (named !== undefined && named !== "") return resolve(dir, named);
  const dotGit = join(dir, ".git");
  if (await isDir(dotGit)) return dotGit;
  const text = await readSmall(dotGit);
  const m = text === undefined ? null : /^gitdir:\s*(.+?)\s*$/m.exec(text);
  return m === null ? undefined : resolve(dir, m[1]!);
}

// A step of the todo list that replays a commit (`p`, `pick`, ...): ours is
// what was rebased before it, theirs that commit.
const REPLAYS = /^(?:p|pick|r|reword|e|edit|s|squash|f|fixup)$/;
// `merge [-C <commit> | -c <commit>] <label>... [# <subject>]`.
const MERGE_STEP = /^\s*(?:m|merge)\s+(?:-[Cc]\s+([0-9a-f]{7,64})\s+)?([^#]*?)\s*(?:#\s*(.*))?$/;

function replayed(
  id: string | undefined,
  subject: string | undefined,
  merged?: string,
): ReplayedCommit {
  const out: ReplayedCommit = {};
  if (id !== undefined && /^[0-9a-f]{7,64}$/.test(id)) out.commit = id.slice(0, 7);
  const s = subject?.trim();
  if (s !== undefined && s !== "") {
    out.subject = printable(s.length > 72 ? `${s.slice(0, 71)}…` : s);
  }
  if (merged !== undefined) out.merged = printable(merged.split(/\s+/).join(", "));
  return out;
}

/**
 * The commit being replayed when the work tree at `dir` (default: the
 * working directory) is mid-rebase, `{}` when a rebase is under way but its
 * state does not name one, `undefined` when no rebase is (a merge, a
 * cherry-pick, no repository, an unreadable state) or when no commit is
 * being replayed: all were (the autostash applied at its end), or it stopped
 * after one (`edit`, `break`, where the user may `git stash pop`): ours is
 * then the rebased branch and theirs the user's edit, as in a merge. A merge
 * step of `--rebase-merges` is one with `merged` set (see {@linkcode ReplayedCommit}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rebaseInProgress } from "./git_rebase_state.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   assert.equal(await rebaseInProgress(dir), undefined);
 *   await Deno.mkdir(`${dir}/.git/rebase-merge`, { recursive: true });
 *   await Deno.writeTextFile(
 *     `${dir}/.git/rebase-merge/done`,
 *     "pick b78d1dc1a8b9732d5323786b27f8fde5141a93f4 add a.csv 1.2.0\n",
 *   );
 *   assert.deepEqual(await rebaseInProgress(dir), { commit: "b78d1dc", subject: "add a.csv 1.2.0" });
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function rebaseInProgress(dir = "."): Promise<ReplayedCommit | undefined> {
  const gitDir = await gitDirOf(dir);
  if (gitDir === undefined) return undefined;
  // The merge backend (the default): `done` ends with the step being applied.
  const merging = join(gitDir, "rebase-merge");
  if (await isDir(merging)) {
    const done = (await readSmall(join(merging, "done")))?.split("\n").filter((l) =>
      l.trim() !== ""
    );
    const last = done?.at(-1) ?? "";
    const step = /^\s*(\S*)/.exec(last)![1]!;
    const merge = MERGE_STEP.exec(last);
    // A `break`, `exec`, `label`, `reset`, ...: no commit is being merged, and
    // a merge the user runs there (`git stash pop`) is one as any other.
    if (step !== "" && merge === null && !REPLAYS.test(step)) return undefined;
    const m = merge !== null
      ? [last, merge[1], merge[3]]
      : /^\s*\S+\s+(?:-[A-Za-z]\s+)?([0-9a-f]{7,64})\s*(?:#\s*)?(.*)$/.exec(last);
    if (m === null) return {};
    // Stopped after its commit (`amend`: an `edit`): a merge the user runs
    // there (`git stash pop`) has ours the rebased HEAD, as in a merge.
    if ((await readSmall(join(merging, "amend"))) !== undefined) return undefined;
    // Already rewritten (`rewritten-list`: "old new" lines): that step is
    // over, and git merges something else, as the autostash it applies at
    // the rebase's end, whose ours is the rebased branch as in a merge.
    const rewritten = await readSmall(join(merging, "rewritten-list"));
    if (m[1] !== undefined && rewritten?.split("\n").some((l) => l.startsWith(m[1]!))) {
      return undefined;
    }
    return replayed(m[1], m[2], merge === null ? undefined : merge[2]);
  }
  // The apply backend (`git rebase --apply`); without `rebasing` it is `git am`,
  // whose ours is the branch as in a merge.
  const applying = join(gitDir, "rebase-apply");
  if ((await readSmall(join(applying, "rebasing"))) === undefined) return undefined;
  // Past its last patch (`next` > `last`): every commit was replayed, and
  // git merges something else, as the autostash it applies at the end.
  const [next, last] = await Promise.all(
    ["next", "last"].map(async (f) => Number((await readSmall(join(applying, f)))?.trim())),
  );
  if (next! > last!) return undefined;
  const id = (await readSmall(join(applying, "original-commit")))?.trim();
  const subject = (await readSmall(join(applying, "final-commit")))?.split("\n")[0];
  return replayed(id, subject);
}
