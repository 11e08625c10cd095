/**
 * A small object's download (one GET, written whole) makes no abort
 * controller of its own: its GET is given the caller's signal, so a cold
 * prefill of a thousand objects pays no extra controller and listener per
 * object, and a caller's abort still reaches the GET with its reason. A
 * parallel download keeps a signal of its own (its first failed range stops
 * the others), which still follows the caller's.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { downloadToFile } from "../src/store/download.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { FaultStore, randomBytes, tempFiles } from "./fixtures/fault_store.ts";
import { withTempDir } from "./versioned_helpers.ts";

const MiB = 1024 * 1024;

/** A FaultStore that keeps the signal of each GET. */
class SignalStore extends FaultStore {
  signals: (AbortSignal | undefined)[] = [];
  override get(key: string, options: GetOptions = {}): Promise<GetResult> {
    this.signals.push(options.signal);
    return super.get(key, options);
  }
}

Deno.test("a small object's GET gets the caller's signal, not one of the download's own", async () => {
  await withTempDir(async (dir) => {
    const store = new SignalStore();
    store.set("k", randomBytes(4096));
    const caller = new AbortController();
    await downloadToFile(store, "k", `${dir}/k`, { signal: caller.signal });
    assertEquals(store.signals.length, 1);
    assert(store.signals[0] === caller.signal, "the GET was given another signal");
  }, "vc-small-signal-");
});

Deno.test("a caller's abort during a small object's GET stops it with the caller's reason", async () => {
  await withTempDir(async (dir) => {
    const store = new SignalStore();
    store.set("k", randomBytes(4096));
    store.latencyMs = 200;
    const caller = new AbortController();
    const p = downloadToFile(store, "k", `${dir}/k`, { signal: caller.signal });
    setTimeout(() => caller.abort(new Error("stopped by the caller")), 20);
    await assertRejects(() => p, Error, "stopped by the caller");
    assertEquals(await tempFiles(dir), []);
    await assertRejects(() => Deno.stat(`${dir}/k`), Deno.errors.NotFound);
  }, "vc-small-signal-");
});

Deno.test("a parallel download's ranged GETs get a signal of its own (a failed range stops the others)", async () => {
  await withTempDir(async (dir) => {
    const store = new SignalStore();
    store.set("k", randomBytes(3 * MiB));
    const caller = new AbortController();
    await downloadToFile(store, "k", `${dir}/k`, {
      signal: caller.signal,
      parallelThreshold: MiB,
      partSize: MiB,
    });
    const ranged = store.signals.slice(1);
    assert(ranged.length > 0, "no ranged GET");
    for (const s of ranged) assert(s !== undefined && s !== caller.signal);
  }, "vc-small-signal-");
});
