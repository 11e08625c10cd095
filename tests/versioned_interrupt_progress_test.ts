/**
 * A `vc sync` or `vc verify` stopped by Ctrl-C (its signal) part way: the
 * entries it never started are not counted as done. Before, each of them
 * ran up to its first abort check and was counted on the way out, so the
 * progress bar raced to 100% (`5000/5000`) after the Ctrl-C of a sync that
 * had copied 318, just before the last line said it was interrupted after
 * 318 (and verify's bar to its total the same way).
 */
import { join } from "node:path";
import { SyncInterruptedError } from "../src/versioned/sync_interrupted.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir, versionedOverKeys } from "./versioned_helpers.ts";

const PATHS = Array.from({ length: 40 }, (_, i) => `/d/p${String(i).padStart(2, "0")}.csv`);

/**
 * A versioned cache over 40 pinned paths in `dir` (manifest `m.json`), a
 * signal aborted once the progress reaches 3, and the `done` counts seen.
 */
async function fortyPinnedStoppedAtThree(dir: string) {
  const vc = await versionedOverKeys(dir, PATHS.map((p) => `${p.slice(1, -4)}.1.0.0.csv`));
  await Deno.writeTextFile(
    join(dir, "m.json"),
    JSON.stringify(Object.fromEntries(PATHS.map((p) => [p, "1.0.0"]))),
  );
  const stop = new AbortController();
  const seen: number[] = [];
  const onProgress = (p: { done: number }) => {
    seen.push(p.done);
    if (p.done === 3) stop.abort(new DOMException("interrupted", "AbortError"));
  };
  return { vc, signal: stop.signal, onProgress, seen };
}

Deno.test("vc sync interrupted part way: its progress counts the entries it handled, not the ones it never started", async () => {
  await using dir = await tempDir("vc_sync_interrupt_progress_");
  const { vc, signal, onProgress, seen } = await fortyPinnedStoppedAtThree(dir.path);
  await using _vc = vc;
  const error = await assertRejects(
    () => vc.syncSettled(join(dir.path, "out"), { signal, onProgress }),
    SyncInterruptedError,
  );
  const { copied, unchanged, failed } = error.report;
  const handled = copied.length + (unchanged ?? []).length + failed.length;
  assert(handled < PATHS.length, `the premise: the stop came before the end (${handled})`);
  // Entries in flight at the stop may finish; none that was never started counts.
  assert(Math.max(...seen) <= handled + 8, `progress reached ${Math.max(...seen)} of ${handled}`);
  assertEquals(seen.includes(PATHS.length), false);
});

Deno.test("vc verify interrupted part way: its progress counts the entries it checked, not the ones it never started", async () => {
  await using dir = await tempDir("vc_verify_interrupt_progress_");
  const { vc, signal, onProgress, seen } = await fortyPinnedStoppedAtThree(dir.path);
  await using _vc = vc;
  await assertRejects(() => vc.verify({ signal, onProgress }));
  // Entries in flight at the stop may finish; none that was never started counts.
  assert(Math.max(...seen) <= 3 + 8, `progress reached ${Math.max(...seen)} of 40`);
  assertEquals(seen.includes(PATHS.length), false);
});
