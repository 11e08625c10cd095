// A cache() aborted while its download is still being abandoned, then the
// same URI again in the same process: the second download waited on the
// first one's entry lock as on another process's, and after a second said
// "vc: waiting for process <this process's pid> to finish downloading …".
// SingleFlight now starts a key's new flight once its abandoned one has
// settled, and a lock this process holds is named as such.
import { join } from "node:path";
import { SingleFlight } from "../src/cache/single_flight.ts";
import { lockHolder } from "../src/cache/entry_lock.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

Deno.test("single flight: a key's new flight starts once its abandoned flight has settled", async () => {
  const flights = new SingleFlight<string>();
  let finishAbandoned!: () => void;
  const abandonedEnds = new Promise<void>((r) => (finishAbandoned = r));
  // The abandoned flight ignores its abort until the test lets it end, as a
  // download closing its temp file and lock does.
  const stop = new AbortController();
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const first = flights.run("k", async () => {
    started();
    await abandonedEnds;
    return "old";
  }, { signal: stop.signal });
  await running;
  stop.abort(new Error("stopped"));
  await assertRejects(() => first, Error, "stopped");

  let secondStarted = false;
  const second = flights.run("k", () => {
    secondStarted = true;
    return Promise.resolve("new");
  });
  // Macrotask turns (bounded) in which an unguarded second flight runs.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  assert(!secondStarted, "the second flight must wait for the abandoned one to settle");
  // Another key is not held up.
  assertEquals(await flights.run("other", () => Promise.resolve("other")), "other");
  finishAbandoned();
  assertEquals(await second, "new");
  assert(secondStarted);
  await flights.settled();
});

Deno.test({
  name: "lockHolder: a lock this process holds is not named as another process",
  ignore: Deno.build.os !== "linux", // needs /proc/locks
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_lock_holder_" });
    try {
      const path = join(dir, "f.vc-tmp");
      using file = await Deno.open(path, { create: true, write: true });
      file.lockSync(true);
      const holder = lockHolder(path);
      assert(!holder.includes(String(Deno.pid)), holder);
      assertEquals(holder, "another download in this process");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
