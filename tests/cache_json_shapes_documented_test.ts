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

/** The keys README's `--json` line for `vc cache <command>` names (`"key"`). */
async function documentedKeys(command: string): Promise<Set<string>> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const marker = `- \`vc cache ${command} --json\`:`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no line starting ${marker}`);
  const end = readme.indexOf("\n- ", start + marker.length);
  const text = readme.slice(start, end < 0 ? undefined : end);
  return new Set([...text.matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1]!));
}

async function assertDocumented(command: string, keys: Iterable<string>): Promise<void> {
  const documented = await documentedKeys(command);
  const missing = [...keys].filter((k) => !documented.has(k));
  assertEquals(missing, [], `README's vc cache ${command} --json does not name ${missing}`);
}

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
    await assertDocumented("get", Object.keys(await run("get", uri)));
    await assertDocumented("dir", Object.keys(await run("dir")));
    const listed = await run("ls", "--check-remote");
    assertEquals(listed.length, 1);
    await assertDocumented("ls", [...Object.keys(listed[0]), ...Object.keys(ENTRY_KEYS)]);
    const verified = await run("verify");
    await assertDocumented("verify", [...Object.keys(verified), ...Object.keys(VERIFY_KEYS)]);
    await assertDocumented("invalidate", Object.keys(await run("invalidate", uri)));
    const pruned = await run("prune", "--max-size", "0", "--dry-run");
    assertEquals(pruned.removed.length, 1);
    await assertDocumented("prune", [...Object.keys(pruned), ...Object.keys(PRUNE_KEYS)]);
    await assertDocumented("rm", Object.keys(await run("rm", uri)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
