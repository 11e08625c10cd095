/**
 * A store that asks to slow down pauses as a whole, but its items waiting out
 * the pause held their download slots: with `--concurrency 2`, two items of a
 * throttled `s3://b` slept through its pause and the items of every other
 * store (here `file://`) waited for it too, though nothing asked them to. Now
 * an item of a paused store lets its slot go while it waits: the other
 * stores' items are fetched during the pause.
 *
 * Here the store has answered (its first item is fetched), so its items may
 * take every slot (a store not answered yet holds only its share, see
 * prefill_silent_store_shares_slots_test.ts, which left the other store a
 * slot whatever the paused items did), and both are in flight when it asks
 * to slow down: their answers are held until both GETs came. The other
 * store's items are listed only once the pause has begun: listed with the
 * paused store's, on a loaded machine (24 copies of this file at once) they
 * could all be done before the store's first GET left, or all started before
 * its 503s came back, so that, no other store having work for the slots, the
 * store rightly took them back and started another item, whose GET stopped
 * the run one item short (`fetched: 9`).
 */
import { assert, assertEquals } from "./assert.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/prefill.ts";
import { listenToStoreRetries } from "../src/store/retry_notice.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("prefill: the items of a paused store free their slots for the other stores' items", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const local = await Deno.makeTempDir({ prefix: "vc-prefill-throttle-other-store-" });
    // The held answers of the store's slowed-down GETs, let go at the end in any case.
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => letGo = resolve);
    try {
      await s3.putObject("b", "ok.txt", "ok");
      const throttled = Array.from({ length: 4 }, (_, i) => `s3://b/k${i}.txt`);
      for (let i = 0; i < throttled.length; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
      const others = Array.from({ length: 10 }, (_, i) => `file://${local}/f${i}.txt`);
      for (let i = 0; i < others.length; i++) {
        await Deno.writeTextFile(`${local}/f${i}.txt`, `${i}`);
      }
      // `ok.txt` is fetched. The GETs of k0 and k1, both in flight (each
      // answer held until the other GET came), are asked to slow down: a
      // long pause. Any other GET of the store (an item asked again, the
      // pause over, or another started) stops the run, so items that hold
      // the slots through the pause end it with nothing of the other store
      // fetched. (`match` is asked before a GET, and again after one that
      // was not failed.)
      const controller = new AbortController();
      const slowed = new Set<string>();
      s3.faults = {
        errorRate: 1,
        errorKind: "slowdown",
        hold: held,
        match: (t) => {
          if (t.op !== "GetObject" || t.key === "ok.txt") return false;
          if ((t.key !== "k0.txt" && t.key !== "k1.txt") || slowed.has(t.key)) {
            controller.abort();
            return false;
          }
          slowed.add(t.key);
          if (slowed.size === 2) letGo();
          return true;
        },
      };
      // The pause begins: the other store's items are listed (or an item
      // of the store ended otherwise first: the checks below then fail).
      let begun!: () => void;
      const pauseBegun = new Promise<void>((resolve) => begun = resolve);
      const stop = listenToStoreRetries((n) => void (n.pausedStore === "s3://b" && begun()));
      const items = async function* (): AsyncGenerator<string> {
        yield "s3://b/ok.txt";
        yield* throttled;
        await pauseBegun;
        yield* others;
      };
      let error: unknown;
      try {
        await prefill({
          cache: make(),
          uris: items(),
          concurrency: 2,
          throttleWait: 20,
          signal: controller.signal,
          // Once every item of the other store is done, the run has shown it: stop it.
          onProgress: (p) => {
            if (p.done > 1) begun();
            if (p.done >= 1 + others.length) controller.abort();
          },
        });
      } catch (e) {
        error = e;
      } finally {
        stop();
        letGo();
      }
      assert(error instanceof PrefillInterruptedError, String(error));
      const { summary } = error;
      // Fetched during the pause: every item of the other store, none of the paused one's.
      assertEquals(summary.fetched, 1 + others.length, JSON.stringify(summary));
      assertEquals(summary.failed, []);
      assertEquals([...slowed].sort(), ["k0.txt", "k1.txt"]);
      assertEquals(s3.stats.GetObject, 3);
      for (let i = 0; i < others.length; i++) {
        const copy = make().localPath(others[i]!);
        assert(copy.startsWith(dir), copy);
        assertEquals(await Deno.readTextFile(copy), `${i}`);
      }
    } finally {
      letGo();
      await Deno.remove(local, { recursive: true });
    }
  }, { maxAttempts: 1 });
});
