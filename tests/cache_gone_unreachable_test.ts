// An object the store said is deleted is recorded as gone: no later process
// serves its copy, offline (refused) or with the store unreachable (refused
// too, not served with a warning as a copy the store never denied is).
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("a copy recorded as deleted is not served when the store cannot be reached", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "hello");
    const clock = new ManualClock(10_000_000);
    const uri = "s3://b/k.txt";
    const first = make({ timeout: 10, clock });
    await first.cache(uri);
    const res = await fetch(`${s3.url}/b/k.txt`, { method: "DELETE" });
    await res.body?.cancel();
    await clock.advance(20_000);
    await assertRejects(() => first.cache(uri), NotFoundError, "no longer exists");
    // Offline, the next process refuses it.
    const offline = make({ timeout: 10, clock, offline: true });
    await assertRejects(() => offline.cache(uri), NotFoundError, "no longer exists");
    // With the store down, so does it: the store's last word was "deleted".
    const warnings: string[] = [];
    const next = make({ timeout: 10, clock, warn: (m) => warnings.push(m) });
    s3.failNext(1000, "internal");
    const e = await assertRejects(() => next.cache(uri), NotFoundError, "no longer exists");
    assertStringIncludes(e.message, "cannot be reached");
    assertEquals(warnings, []);
    // Back, with the object back: served again.
    s3.clearFaults();
    await s3.putObject("b", "k.txt", "hello");
    assertEquals(await Deno.readTextFile(await next.cache(uri)), "hello");
  }, { maxAttempts: 1 });
});
