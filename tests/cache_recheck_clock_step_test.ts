/**
 * A running process looks at a cached copy's file once a second (a copy
 * edited in place is not served as the object). A step of the wall clock
 * back (NTP, an operator) must not put that look off for as long as the
 * step: offline, an edited copy was served as the object for the hour.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { IntegrityError } from "../src/errors.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("warm path: a wall clock stepped back does not put off the look at the copy", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "k.txt", "v1");
    const clock = new ManualClock(10_000_000_000);
    await make({ clock }).cache("s3://b/k.txt");
    const offline = make({ clock, offline: true });
    const path = await offline.cache("s3://b/k.txt");
    assertEquals(await Deno.readTextFile(path), "v1");
    clock.jump(-3_600_000); // the wall clock steps back an hour
    await Deno.writeTextFile(path, "edited by hand, not the object");
    await clock.advance(5_000);
    await assertRejects(() => offline.cache("s3://b/k.txt"), IntegrityError, "changed");
  });
});
