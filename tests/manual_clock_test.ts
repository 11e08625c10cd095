import { ManualClock } from "../src/testing/manual_clock.ts";
import type { Clock } from "../src/clock.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";

Deno.test("ManualClock: sleeps wake in deadline order, only when time reaches them", async () => {
  const clock: ManualClock = new ManualClock(0);
  const woke: string[] = [];
  const a = clock.sleep(300).then(() => woke.push("a"));
  const b = clock.sleep(100).then(() => woke.push("b"));
  const c = clock.sleep(200).then(() => woke.push("c"));
  await clock.sleep(0); // zero and negative sleeps resolve at once
  await clock.sleep(-5);
  await clock.advance(99);
  assertEquals(woke, []);
  assertEquals(clock.pending, 3);
  await clock.advance(150);
  await Promise.all([b, c]);
  assertEquals(woke, ["b", "c"]);
  assertEquals(clock.pending, 1);
  await clock.set(300);
  await a;
  assertEquals(woke, ["b", "c", "a"]);
  assertEquals(clock.now(), 300);
});

Deno.test("ManualClock: a woken sleeper that sleeps again waits for the next advance", async () => {
  const clock = new ManualClock(0);
  let rounds = 0;
  const loop = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(10);
      rounds++;
    }
  })();
  for (let i = 1; i <= 3; i++) {
    await clock.advance(10);
    await new Promise((r) => setTimeout(r, 0));
    assertEquals(rounds, i);
  }
  await loop;
});

Deno.test("ManualClock: aborts reject with the reason; time never goes backwards", async () => {
  const clock = new ManualClock(1_000);
  const controller = new AbortController();
  const pending = clock.sleep(50, controller.signal);
  controller.abort(new Error("cancelled"));
  await assertRejects(() => pending, Error, "cancelled");
  await assertRejects(() => clock.sleep(1, controller.signal), Error, "cancelled");
  assertEquals(clock.pending, 0);
  await assertRejects(() => clock.set(999), RangeError, "backwards");
  await assertRejects(() => clock.advance(-1), RangeError);
  // Usable wherever a Clock is.
  const asClock: Clock = clock;
  assert(asClock.now() === 1_000);
});

Deno.test("ManualClock: a Date start or set time is taken as its ms; a time that is none is refused", async () => {
  // A Date was kept as given: now() + ms was then a string, and no sleeper woke.
  const clock = new ManualClock(new Date(1_000));
  assertEquals(clock.now(), 1_000);
  const woke = clock.sleep(500);
  await clock.set(new Date(1_500));
  await woke;
  assertEquals(clock.now(), 1_500);
  assertThrows(
    () => new ManualClock("2024-01-01" as never),
    RangeError,
    'ManualClock: the start must be ms since the epoch (a finite number) or a valid Date, got "2024-01-01"',
  );
  assertThrows(() => new ManualClock(new Date("nope")), RangeError, "got Invalid Date");
  await assertRejects(() => clock.set(NaN), RangeError, "set: the time must be ms since the epoch");
  assertEquals(clock.now(), 1_500);
});
