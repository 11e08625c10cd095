// MemoryStore's `objects` and `clock` given as something else (a plain
// object or an array for the Map, a number for the clock) were taken, and
// failed at the first put as "this.objects.get is not a function".
import { assertEquals, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../mod.ts";
import { ManualClock, MemoryStore } from "../src/testing/mod.ts";

Deno.test("MemoryStore refuses objects that are no Map and a clock that is no Clock", async () => {
  for (const objects of [{}, [], "x"]) {
    assertThrows(
      () => new MemoryStore({ objects: objects as never }),
      InvalidInputError,
      "MemoryStore: the option objects must be a Map",
    );
  }
  for (const clock of [5, {}, () => 0]) {
    assertThrows(
      () => new MemoryStore({ clock: clock as never }),
      InvalidInputError,
      "MemoryStore: the option clock must be a Clock",
    );
  }
  const objects = new Map();
  await using store = new MemoryStore({ objects, clock: new ManualClock() });
  await store.put("k", new Uint8Array(2));
  assertEquals(objects.size, 1);
});
