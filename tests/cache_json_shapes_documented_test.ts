/**
 * The `--json` of every `vc cache` command is a shape scripts rely on, so
 * README's list of them names each key the command prints, and every key
 * of the library's result types (`CacheEntry`, `PruneResult`,
 * `VerifyResult`) that can appear. Before, README gave no shape for
 * `vc cache get/dir/ls/rm/invalidate/prune/verify --json`, only a few keys
 * in passing.
 */
import type { CacheEntry, PruneResult, VerifyResult } from "../mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals } from "./assert.ts";
import { assertDocumented } from "./readme_json_shapes.ts";

// Every key of each result type: a key added to the type and not here fails
// type checking, and then this test until README names it.
const ENTRY_KEYS = {
  uri: true,
  path: true,
  size: true,
  etag: true,
  validatedAt: true,
  lastUsed: true,
  outdated: true,
  remoteDeleted: true,
  remoteError: true,
  gone: true,
  endpoint: true,
  checksum: true,
} satisfies Record<keyof CacheEntry, true>;
const PRUNE_KEYS = {
  removed: true,
  freedBytes: true,
  orphans: true,
  links: true,
  journalDirs: true,
  recordDirFiles: true,
  deadRecords: true,
  kept: true,
  remainingBytes: true,
  leftovers: true,
  dryRun: true,
} satisfies Record<keyof PruneResult, true>;
const VERIFY_KEYS = {
  ok: true,
  corrupt: true,
  orphans: true,
  links: true,
  journalDirs: true,
  recordDirFiles: true,
  ownedJournals: true,
  ownedData: true,
  deadRecords: true,
  retimed: true,
  unreadable: true,
  notWritable: true,
} satisfies Record<keyof VerifyResult, true>;

Deno.test("README names every key the vc cache commands print with --json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-json-shapes-" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "hello\n");
    const uri = `file://${dir}/a.txt`;
    const env = { HOME: dir, VC_CACHE_DIR: `${dir}/cache` };
    const run = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env });
      const code = await runCli(["cache", ...args, "--json"], io);
      assertEquals(code, 0, io.stderr());
      return JSON.parse(io.stdout());
    };
    await assertDocumented("cache get", Object.keys(await run("get", uri)));
    await assertDocumented("cache dir", Object.keys(await run("dir")));
    const listed = await run("ls", "--check-remote");
    assertEquals(listed.length, 1);
    await assertDocumented("cache ls", [...Object.keys(listed[0]), ...Object.keys(ENTRY_KEYS)]);
    const verified = await run("verify");
    await assertDocumented("cache verify", [...Object.keys(verified), ...Object.keys(VERIFY_KEYS)]);
    await assertDocumented("cache invalidate", Object.keys(await run("invalidate", uri)));
    const pruned = await run("prune", "--max-size", "0", "--dry-run");
    assertEquals(pruned.removed.length, 1);
    await assertDocumented("cache prune", [...Object.keys(pruned), ...Object.keys(PRUNE_KEYS)]);
    await assertDocumented("cache rm", Object.keys(await run("rm", uri)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
