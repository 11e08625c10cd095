/**
 * An item a prefill's abort stops is not done: the progress reports after the
 * stop count only the items that finished (fetched, already cached or
 * failed), so a bar drawn at the stop does not read "100%" above a summary
 * saying "interrupted after 1 of 2".
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { GetOptions, GetResult, ObjectStore } from "../src/store/types.ts";
import { prefill, PrefillInterruptedError, type PrefillProgress } from "../src/prefill/prefill.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

// A store whose `slow` object answers only when the caller gives up on it.
class HeldStore extends WrappingStore {
  asked = Promise.withResolvers<void>();
  constructor(inner: ObjectStore) {
    super(inner);
  }
  override get(key: string, options?: GetOptions): Promise<GetResult> {
    if (!key.includes("slow")) return super.get(key, options);
    this.asked.resolve();
    return new Promise((_, reject) => {
      const signal = options?.signal;
      if (signal === undefined) return;
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }
}

Deno.test("prefill stopped with an item in flight: the progress after the stop counts it not done", async () => {
  let held: HeldStore | undefined;
  await using ws = await workspace({ wrap: (s) => (held = new HeldStore(s)) });
  const fast = pathToFileURL(await writeFile(join(ws.dir, "src"), "fast.txt", "fast")).href;
  const slow = pathToFileURL(await writeFile(join(ws.dir, "src"), "slow.txt", "slow")).href;
  const controller = new AbortController();
  const reports: PrefillProgress[] = [];
  const run = prefill({
    cache: ws.cache,
    uris: [fast, slow],
    concurrency: 2,
    signal: controller.signal,
    onProgress: (p) => reports.push({ ...p }),
  });
  // Stop once the slow object is asked for and the fast one has finished.
  for (let i = 0; i < 400 && (held === undefined || !reports.some((r) => r.done === 1)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert(held !== undefined, "the store was opened");
  await held.asked.promise;
  controller.abort(new Error("stopped by the test"));
  const error = await assertRejects(() => run, PrefillInterruptedError);
  assertEquals([error.summary.fetched, error.summary.failed.length], [1, 0]);
  const finished = error.summary.fetched + error.summary.alreadyCached +
    error.summary.failed.length;
  const last = reports.at(-1);
  assert(last !== undefined, "progress was reported");
  assertEquals(
    reports.filter((r) => r.done > finished).map((r) => `${r.done}/${r.total}`),
    [],
    "no report counts the stopped item as done",
  );
});
