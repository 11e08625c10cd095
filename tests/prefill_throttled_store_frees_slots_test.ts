/**
 * A store that asks to slow down pauses as a whole, but its items waiting out
 * the pause held their download slots: with `--concurrency 2`, two items of a
 * throttled `s3://b` slept through its pause and the items of every other
 * store (here `file://`) waited for it too, though nothing asked them to (here
 * `--concurrency 4`, of which a store not answered yet holds 2). Now
 * an item of a paused store lets its slot go while it waits: the other
 * stores' items are fetched during the pause.
 *
 * The other store's items are listed only once the pause has begun. Listed
 * with the paused store's, on a loaded machine (24 copies of this file at
 * once) they could all be done before its first GET left (no GET: the run
 * stopped with nothing to show), or all started before its 503s came back,
 * so that, no other store having work for the slots, the store took them
 * back and started a third item, as it should (a third GET stopped the run
 * one item short: `fetched: 9`).
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/prefill.ts";
import { listenToStoreRetries } from "../src/store/retry_notice.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("prefill: the items of a paused store free their slots for the other stores' items", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const local = await Deno.makeTempDir({ prefix: "vc-prefill-throttle-other-store-" });
    try {
      const throttled = Array.from({ length: 6 }, (_, i) => `s3://b/k${i}.txt`);
      for (let i = 0; i < throttled.length; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
      const others = Array.from({ length: 10 }, (_, i) => `file://${local}/f${i}.txt`);
      for (let i = 0; i < others.length; i++) {
        await Deno.writeTextFile(`${local}/f${i}.txt`, `${i}`);
      }
      // The store asks to slow down for its first two GETs: a long pause. Its
      // items asked again (the pause over) stop the run too, so one that
      // holds the slots ends there, with nothing of the other store fetched.
      // (`match` is asked before a GET, and again after one that was not
      // failed: the third call is the third GET's.)
      const controller = new AbortController();
      let gets = 0;
      s3.faults = {
        errorRate: 1,
        errorKind: "slowdown",
        match: (t) => {
          if (t.op !== "GetObject") return false;
          if (++gets > 2) controller.abort();
          return gets <= 2;
        },
      };
      // The pause begins: the other store's items are listed (or something
      // else ended an item of the store first: the checks below then fail).
      let begun!: () => void;
      const pauseBegun = new Promise<void>((resolve) => begun = resolve);
      const stop = listenToStoreRetries((n) => void (n.pausedStore === "s3://b" && begun()));
      const items = async function* (): AsyncGenerator<string> {
        yield* throttled;
        await pauseBegun;
        yield* others;
      };
      let error: unknown;
      try {
        await prefill({
          cache: make(),
          uris: items(),
          // Half the slots are the store's until it answers (see
          // prefill_silent_store_shares_slots_test.ts): two of its items at once.
          concurrency: 4,
          throttleWait: 20,
          signal: controller.signal,
          // Once every item of the other store is done, the run has shown it: stop it.
          onProgress: (p) => {
            if (p.done > 0) begun();
            if (p.done >= others.length) controller.abort();
          },
        });
      } catch (e) {
        error = e;
      } finally {
        stop();
      }
      assert(error instanceof PrefillInterruptedError, String(error));
      const { summary } = error;
      // Fetched during the pause: every item of the other store, none of the paused one's.
      assertEquals(summary.fetched, others.length, JSON.stringify(summary));
      assertEquals(summary.failed, []);
      assertEquals(s3.stats.GetObject, 2);
      for (let i = 0; i < others.length; i++) {
        const copy = make().localPath(others[i]!);
        assert(copy.startsWith(dir), copy);
        assertEquals(await Deno.readTextFile(copy), `${i}`);
      }
    } finally {
      await Deno.remove(local, { recursive: true });
    }
  }, { maxAttempts: 1 });
});
