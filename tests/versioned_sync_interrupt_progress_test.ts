/**
 * A `vc sync` stopped by Ctrl-C (its signal) part way: the entries it never
 * started are not counted as done. Before, each of them ran up to its first
 * abort check and was counted on the way out, so the progress bar raced to
 * 100% (`5000/5000`) after the Ctrl-C of a sync that had copied 318, just
 * before the last line said it was interrupted after 318.
 */
import { join } from "node:path";
import { SyncInterruptedError } from "../src/versioned/sync_interrupted.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir, versionedOverKeys } from "./versioned_helpers.ts";

Deno.test("vc sync interrupted part way: its progress counts the entries it handled, not the ones it never started", async () => {
  await using dir = await tempDir("vc_sync_interrupt_progress_");
  const paths = Array.from({ length: 40 }, (_, i) => `/d/p${String(i).padStart(2, "0")}.csv`);
  await using vc = await versionedOverKeys(
    dir.path,
    paths.map((p) => `${p.slice(1, -4)}.1.0.0.csv`),
  );
  await Deno.writeTextFile(
    join(dir.path, "m.json"),
    JSON.stringify(Object.fromEntries(paths.map((p) => [p, "1.0.0"]))),
  );
  const stop = new AbortController();
  const seen: number[] = [];
  const error = await assertRejects(
    () =>
      vc.syncSettled(join(dir.path, "out"), {
        signal: stop.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.done === 3) stop.abort(new DOMException("interrupted", "AbortError"));
        },
      }),
    SyncInterruptedError,
  );
  const { copied, unchanged, failed } = error.report;
  const handled = copied.length + (unchanged ?? []).length + failed.length;
  assert(handled < paths.length, `the premise: the stop came before the end (${handled})`);
  // Entries in flight at the stop may finish; none that was never started counts.
  assert(Math.max(...seen) <= handled + 8, `progress reached ${Math.max(...seen)} of ${handled}`);
  assertEquals(seen.includes(paths.length), false);
});
