/**
 * Prefill's scheduler, reading on through a list of one store that has not
 * answered (to find other stores' work), sets the items past the store's
 * share aside. A list already in memory is read as a chain of microtasks,
 * which gave the items in flight no turn until it ended, so it now awaits
 * a turn of the event loop every 64 items set aside. Counted here, not
 * raced: the turns come at fixed points of the reading, and the items are
 * still handed out in the list's order (those set aside first, once their
 * store answered during a turn, then the rest of the list).
 */
import { assertEquals } from "./assert.ts";
import {
  ParkedItems,
  scheduled,
  type SlotKeeper,
  StoreThrottle,
  type Target,
} from "../src/prefill/scheduler.ts";

const COUNT = 1_000;

Deno.test("prefill's scheduler gives the event loop a turn every 64 items set aside, the list's order kept", async () => {
  let read = 0;
  async function* source(): AsyncIterable<Target> {
    for (let i = 0; i < COUNT; i++) {
      read++;
      yield { label: `s3://b/k${i}`, source: {}, uri: `s3://b/k${i}`, immutable: false, order: i };
    }
    // The store answers at the list's end if no turn let it (the run ends).
    answered = true;
  }
  // The store takes one slot and does not answer until the second turn.
  let answered = false;
  let started = 0;
  const slots: SlotKeeper = {
    mayStart: () => answered || started < 1,
    start: () => started++,
    waitsForAnswer: () => !answered,
  };
  // How much of the list was read at each turn.
  const turns: number[] = [];
  const turn = () => {
    turns.push(read);
    if (turns.length === 2) answered = true;
    return Promise.resolve();
  };
  using parked = new ParkedItems(new StoreThrottle(0), COUNT);
  const handedOut: string[] = [];
  for await (const target of scheduled(source(), parked, slots, new Map(), undefined, turn)) {
    handedOut.push(target.uri);
  }
  // 1 started, then 64 set aside before each turn; none set aside once the store answered.
  assertEquals(turns, [1 + 64, 1 + 128]);
  assertEquals(handedOut, Array.from({ length: COUNT }, (_, i) => `s3://b/k${i}`));
  assertEquals(started, COUNT);
});
