/**
 * `vc` run from a project's own task with an `--allow-env` list that leaves
 * vc's variables out (`deno run … --allow-env=HOME,AWS_* jsr:@vc/vc/cli
 * prefill`): each variable it could not read was taken as unset, silently.
 * A CI job's `VC_CACHE_DIR` was ignored and the prefill filled the default
 * `~/.cache/vc`, exit 0, while the job cached (and its tests read) the
 * directory it had named: empty on every run. Now the first variable of
 * vc's own that the permissions leave out is named in one warning, with the
 * flag to add; the release flags (every variable vc reads) warn of nothing.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { prefillChild, prefillListDir } from "./prefill_child.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("cli: a VC_* variable the --allow-env list leaves out is named in one warning", async () => {
  await using tmp = await tempDir();
  const dir = tmp.path;
  await prefillListDir(dir);
  const narrow = [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env=HOME,AWS_*",
    "--allow-sys",
    "--no-prompt",
  ];
  const run = await prefillChild(dir, narrow);
  assertEquals(run.code, 0, run.stderr);
  const warnings = run.stderr.split("\n").filter((l) => l.startsWith("vc: warning:"));
  assertEquals(warnings.length, 1, run.stderr);
  const warning = warnings[0]!;
  assert(warning.includes("cannot read VC_"), warning);
  assert(warning.includes("taken as unset"), warning);
  assert(warning.includes("--allow-env"), warning);

  // Without any env permission: the same one warning, before the error
  // about the home directory it could not read either.
  const none = await prefillChild(dir, narrow.filter((f) => !f.startsWith("--allow-env")));
  const noneWarnings = none.stderr.split("\n").filter((l) => l.startsWith("vc: warning:"));
  assertEquals(noneWarnings.length, 1, none.stderr);
  assert(noneWarnings[0]!.includes("--allow-env"), none.stderr);

  // The release flags read every variable vc reads: nothing to warn of, and
  // the cache is the one VC_CACHE_DIR names.
  const full = await prefillChild(dir, PERMISSION_FLAGS);
  assertEquals(full.code, 0, full.stderr);
  assertEquals(full.stderr, "");
  assert(full.stdout.includes("1 fetched"), full.stdout);
  await Deno.stat(join(dir, "ci-cache"));
});
