/**
 * A store's pause that ended between the scheduler's look at the items set
 * aside (the store still paused) and its look at how long to wait (no
 * pause left) made it wait for a change that never came: the prefill hung
 * with its items set aside and none in flight (a CI job killed after 15
 * minutes). Here the clock moves on at every look, so the pause's end falls
 * between every pair of looks in turn.
 */
import { assertEquals } from "./assert.ts";
import {
  ParkedItems,
  scheduled,
  type SlotKeeper,
  StoreThrottle,
  type Target,
} from "../src/prefill/scheduler.ts";

const anySlot: SlotKeeper = {
  mayStart: () => true,
  start: () => {},
  waitsForAnswer: () => false,
};

for (const pauseMs of [1, 2, 3, 4, 5, 6]) {
  Deno.test(`prefill's scheduler hands out an item once its store's pause of ${pauseMs} looks ends`, async () => {
    // Each look at the clock is 1 ms later.
    let now = 0;
    const throttle = new StoreThrottle(pauseMs, () => ++now);
    using parked = new ParkedItems(throttle, 16);
    const target: Target = {
      label: "s3://b/k",
      source: {},
      uri: "s3://b/k",
      immutable: false,
      order: 0,
    };
    throttle.throttled("s3://b");
    parked.add("s3://b", target);
    // Bounds a lost wake-up (the scheduler ends on the abort, without the item).
    const bound = new AbortController();
    const timer = setTimeout(() => bound.abort(), 10_000);
    try {
      const items = scheduled(undefined, parked, anySlot, new Map(), bound.signal)
        [Symbol.asyncIterator]();
      const first = await items.next();
      assertEquals(first.value?.uri, "s3://b/k", "the item set aside was never handed out");
      assertEquals((await items.next()).done, true);
    } finally {
      clearTimeout(timer);
    }
  });
}
