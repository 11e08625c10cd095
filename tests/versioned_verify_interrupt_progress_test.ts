/**
 * A `vc verify` stopped by Ctrl-C (its signal) part way: the entries it
 * never started are not counted as checked. Before, each of them ran up to
 * its first abort check and was counted on the way out, so the progress bar
 * raced to its total after the Ctrl-C (as `vc sync`'s did).
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir, versionedOverKeys } from "./versioned_helpers.ts";

Deno.test("vc verify interrupted part way: its progress counts the entries it checked, not the ones it never started", async () => {
  await using dir = await tempDir("vc_verify_interrupt_progress_");
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
  await assertRejects(() =>
    vc.verify({
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(p.done);
        if (p.done === 3) stop.abort(new DOMException("interrupted", "AbortError"));
      },
    })
  );
  // Entries in flight at the stop may finish; none that was never started counts.
  assert(Math.max(...seen) <= 3 + 8, `progress reached ${Math.max(...seen)} of 40`);
  assertEquals(seen.includes(paths.length), false);
});
