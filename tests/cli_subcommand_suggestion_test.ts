/**
 * A mistyped or unknown subcommand of a group (`vc repo rm 5`, `vc cache cp`)
 * is compared with the group's subcommands word for word. It was compared
 * as the whole line, `repo rm` against `repo ls`: two edits in seven
 * letters passed for a typo, so `vc repo rm 5` (a user deleting a record)
 * was told `did you mean "repo ls"?`, `vc cache cp` `cache ls` and
 * `vc repo id` `repo add`, where two letters of two are another word. A
 * word a user reaches for that names a command by another name (`verify`,
 * `list`, `rm`) is pointed at it.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertStringIncludes } from "./assert.ts";
import { assertFailure } from "./cli_harness.ts";

async function vc(...args: string[]) {
  const io = memoryIo({ env: { HOME: "/nonexistent-home" } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("main: another two-letter subcommand is not suggested for a two-letter word", async () => {
  for (
    const args of [["repo", "mv", "5"], ["repo", "cp", "5"], ["cache", "cp", "s3://b/k"], [
      "repo",
      "id",
    ], ["cache-client", "ls"]]
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]} ${args[1]}"`);
    assert(!r.stderr.includes("did you mean"), `${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("main: vc repo rm (delete, remove) says how a record goes: expire, then purge", async () => {
  for (const word of ["rm", "delete", "remove"]) {
    const r = await vc("repo", word, "5");
    assertFailure(r, 2, `unknown command "repo ${word}"`);
    assert(!r.stderr.includes('"repo ls"'), r.stderr);
    assertStringIncludes(r.stderr, "vc repo expire ID");
    assertStringIncludes(r.stderr, "vc repo purge ID");
  }
});

Deno.test("main: a group's command named otherwise is suggested (verify: check, list: ls)", async () => {
  for (
    const [args, meant] of [
      [["repo", "verify"], "repo check"],
      [["repo", "fsck"], "repo check"],
      [["repo", "list"], "repo ls"],
      [["cache", "list"], "cache ls"],
      [["cache", "delete", "s3://b/k"], "cache rm"],
      // Typos of the word still are.
      [["repo", "lss"], "repo ls"],
      [["repo", "chek"], "repo check"],
      [["cache", "purne"], "cache prune"],
      [["repo", "publsh", "5"], "repo publish"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]} ${args[1]}"`);
    assertStringIncludes(r.stderr, `did you mean "${meant}"?`);
  }
});

Deno.test("main: vc repo info ID (describe, inspect, search, unclaim) names the command meant", async () => {
  // `vc repo info 5` said only `unknown command "repo info"`, though
  // `vc repo get 5` prints the record; the other words are others' too.
  for (
    const [args, meant] of [
      [["repo", "info", "5"], "repo get"],
      [["repo", "describe", "5"], "repo get"],
      [["repo", "inspect", "5"], "repo get"],
      [["repo", "search", "--any", "raw"], "repo find"],
      [["repo", "unclaim", "5"], "repo release"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]} ${args[1]}"`);
    assertStringIncludes(r.stderr, `did you mean "${meant}"?`);
  }
});

Deno.test("main: an un-word of a repo command names its opposite, never the command it undoes", async () => {
  // Guessed by their letters, `unpublish` was told `did you mean "repo
  // publish"?`, `unexpire` "repo expire", and `retire` (README's word for
  // an expire) "repo restore", which replaces the catalog.
  for (
    const [args, meant] of [
      [["repo", "unpublish", "5"], "repo expire"],
      [["repo", "retire", "5"], "repo expire"],
      [["repo", "unexpire", "5"], "repo publish"],
      [["repo", "lock", "--ttl", "5m"], "repo claim"],
      [["repo", "unlock", "5"], "repo release"],
    ] as const
  ) {
    const r = await vc(...args);
    assertFailure(r, 2, `unknown command "${args[0]} ${args[1]}"`);
    assertStringIncludes(r.stderr, `did you mean "${meant}"?`);
  }
});
