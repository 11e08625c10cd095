/**
 * `vc mirror --watch` as a service sits idle for hours: its loop wakes once
 * a debounce (at least every 0.5 s) to see whether a source root was
 * swapped, and must keep nothing per wake. It raced each sleep with a
 * promise that only the next event settled, so with no event every wake
 * left a reaction on it (~300 B): ~25 MB a day, for as long as the tree was
 * quiet. The heap is measured in a child with `--v8-flags=--expose-gc` (the
 * test runner has no `gc()`).
 */
import { assert } from "./assert.ts";
import { gcChildResult } from "./gc_child.ts";

Deno.test("mirror --watch: an idle watch keeps no memory per wake of its loop", async () => {
  const { wakes, bytesPerWake } = await gcChildResult<{ wakes: number; bytesPerWake: number }>(
    "watch_idle_memory_child.ts",
    "3000",
  );
  // Before the fix: ~310 B per wake. A few KB of noise over 3000 wakes is not a leak.
  assert(
    bytesPerWake < 40,
    `the heap grew ${bytesPerWake.toFixed(1)} B per idle wake (${wakes} wakes)`,
  );
});
