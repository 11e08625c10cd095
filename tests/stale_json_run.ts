/**
 * The check the `--json` stale tests share: a CLI read answered by the store,
 * then, the store gone, answered from the cache and marked stale.
 */
import type { FakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import type { CliWorkspace } from "./cli_harness.ts";

/**
 * Runs `args --json` in `ws` with `env` while `s3` answers (no `stale`
 * field), stops `s3`, and runs `args --timeout 0 --json` again: that answer
 * must be the same local copy, marked stale with a reason and the time it
 * was last confirmed, and stderr must still warn. Returns its document.
 */
export async function staleOnceStoreGone(
  ws: CliWorkspace,
  s3: FakeS3,
  args: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>> {
  const fresh = await ws.run([...args, "--json"], env);
  assertEquals(fresh.code, 0, fresh.stderr);
  const first = fresh.json<Record<string, unknown>>();
  assertEquals(first.stale, undefined, fresh.stdout);
  await s3.stop(); // same endpoint, nobody listening any more
  const stale = await ws.run([...args, "--timeout", "0", "--json"], env);
  assertEquals(stale.code, 0, stale.stderr);
  const doc = stale.json<Record<string, unknown>>();
  assertEquals(doc.local, first.local);
  assertEquals(doc.stale, true, stale.stdout);
  assert(typeof doc.staleReason === "string" && doc.staleReason !== "", stale.stdout);
  assert(
    typeof doc.validatedAt === "string" && !Number.isNaN(Date.parse(doc.validatedAt)),
    stale.stdout,
  );
  // The warning on stderr stays for a reader of the terminal.
  assertStringIncludes(stale.stderr, "cannot reach the store");
  return doc;
}
