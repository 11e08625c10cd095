/**
 * A mistyped `VC_CACHE_DIR` (or `--cache-dir`) names a directory that does
 * not exist. `vc cache ls` said so, but `vc cache verify` printed
 * `0 ok, 0 corrupt` (exit 0: an all-clear for a cache it never saw), and
 * `prune`, `rm` and `invalidate` reported nothing to do as if that cache were
 * empty. Every cache command that reads the cache now names the directory,
 * where its setting came from, and that it does not exist, with the same
 * line; the exit codes and `--json` documents stay as they were.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("every cache command names a cache dir that does not exist, the same way", async () => {
  await using ws = await CliWorkspace.create();
  const typo = ws.path("cahce");
  const line =
    `vc: the cache dir ${typo} (env VC_CACHE_DIR) does not exist: nothing is cached there`;
  const commands = [
    ["cache", "ls"],
    ["cache", "verify"],
    ["cache", "prune", "--max-size", "1GB"],
    ["cache", "prune", "--older-than", "30d", "--dry-run"],
    ["cache", "rm", "s3://b/k"],
    ["cache", "invalidate", "s3://b/k"],
  ];
  for (const args of commands) {
    const r = await ws.run(args, { VC_CACHE_DIR: typo });
    assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${line}\n`, args.join(" "));
    // The note is not the command's result: stdout is unchanged.
    assert(!r.stdout.includes("does not exist"), r.stdout);
  }
  // Named by the flag when the flag set it.
  const flagged = await ws.run(["cache", "verify", "--cache-dir", typo]);
  assertStringIncludes(
    flagged.stderr,
    `vc: the cache dir ${typo} (flag --cache-dir) does not exist: nothing is cached there\n`,
  );
  // --json keeps its document alone, as `cache ls --json` does ([]).
  const json = await ws.run(["cache", "verify", "--json"], { VC_CACHE_DIR: typo });
  assertEquals([json.code, json.json(), json.stderr], [0, { ok: 0, corrupt: [] }, ""]);
  // None of them created it.
  await assertMissing(typo);

  // A cache dir that exists gets no such line.
  await Deno.mkdir(ws.cacheDir);
  for (const args of commands) {
    const r = await ws.run(args);
    assert(!r.stderr.includes("does not exist"), `${args.join(" ")}: ${r.stderr}`);
  }
});

async function assertMissing(path: string): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  throw new Error(`${path} was created`);
}
