/**
 * `watchMirror()`: a file rewritten more often than the debounce (a status
 * file saved every half second, an `app.log` appended to all day, a
 * metrics file an exporter replaces by rename) never has the quiet period
 * its batch waits for, and the full passes leave it to the queue as still
 * being written: it was never mirrored for as long as its writer ran. It is
 * now applied once it has waited `LONGEST_WAIT_MS` (a whole version, as
 * any upload: never a mix), and again each time it waited that long.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { storeContents, until, watchedTree } from "./mirror_helpers.ts";
import { LONGEST_WAIT_MS } from "../src/mirror/watch.ts";

Deno.test("mirror --watch: a file rewritten more often than the debounce is still mirrored (once it waited long enough), whole, and again each time", async () => {
  await using watch = await watchedTree({ "keep.txt": "k" });
  const { src, clock, events, batches, counts } = watch;
  const path = join(src, "status.json");
  const version = (i: number) => `{"tick": ${i}, "pad": "${"x".repeat(i % 7)}"}`;
  const uploaded = async () => (await storeContents(watch.store))["status.json"];
  let tick = 0;
  for (const round of [1, 2]) {
    // Rewritten by rename every 900 ms of the clock (1 s of debounce): never
    // quiet, up to the moment it has waited the longest wait.
    const save = async () => {
      await Deno.writeTextFile(`${path}.tmp`, version(++tick));
      await Deno.rename(`${path}.tmp`, path);
      const seen = counts.seen;
      events.send({ kind: "create", paths: [path] });
      await until("the event", () => counts.seen > seen);
    };
    for (let waited = 0; waited + 900 < LONGEST_WAIT_MS; waited += 900) {
      await save();
      await clock.advance(900);
    }
    assertEquals(batches.length, round, "nothing is applied before it waited its time");
    // Saved again 900 ms before it has waited that long: not quiet then either.
    await save();
    await clock.advance(900);
    await until(`round ${round}: the file never quiet is applied`, () => batches.length > round);
    assertEquals(batches[round]!.report.transferred, 1, JSON.stringify(batches[round]!.report));
    assertEquals(await uploaded(), version(tick), "the version there, whole");
  }
});

Deno.test("mirror --watch: a big file never quiet whose upload found it written to again waits twice as long for its next try (not sent whole every minute)", async () => {
  const big = 2 * 1024 * 1024; // read in parts: a change while it goes up is not stored
  let rewrites = 0;
  let path = "";
  await using watch = await watchedTree({ "keep.txt": "k" }, {
    onAction: (a) => {
      // Its first upload: written to once more while it goes up.
      if (a.action === "upload" && a.key === "log.bin" && rewrites++ === 0) {
        Deno.writeFileSync(path, new Uint8Array(big).fill(99));
      }
    },
  });
  const { src, clock, events, batches, counts } = watch;
  path = join(src, "log.bin");
  let tick = 0;
  const save = async () => {
    await Deno.writeFile(path, new Uint8Array(big).fill(++tick));
    const seen = counts.seen;
    events.send({ kind: "modify", paths: [path] });
    await until("the event", () => counts.seen > seen);
  };
  // Saved every 900 ms (1 s of debounce) for `ms`, and once more 900 ms before its end.
  const neverQuiet = async (ms: number) => {
    for (let waited = 0; waited + 900 < ms; waited += 900) {
      await save();
      await clock.advance(900);
    }
  };
  await neverQuiet(LONGEST_WAIT_MS);
  await save();
  await clock.advance(900);
  await until("the overdue batch", () => batches.length === 2);
  assertEquals(batches[1]!.report.transferred, 0);
  assertEquals(batches[1]!.report.deferred, [path]);
  // The writer goes on: no try after another minute, but after two.
  await neverQuiet(2 * LONGEST_WAIT_MS);
  assertEquals(batches.length, 2, "not sent whole again after another minute");
  await save();
  await clock.advance(900);
  await until("the next try", () => batches.length === 3);
  assertEquals(batches[2]!.report.transferred, 1, JSON.stringify(batches[2]!.report));
  const stored = (await storeContents(watch.store))["log.bin"];
  assertEquals(stored, new TextDecoder().decode(new Uint8Array(big).fill(tick)));
});

Deno.test("mirror --watch: a file never quiet that gives no events (written from another NFS client, the watch limit reached) is mirrored too", async () => {
  // Full passes every second, and no event at all: each pass leaves the
  // file to the queue by its mtime, and the queue finds it changed again.
  await using watch = await watchedTree({ "keep.txt": "k" }, { reconcileIntervalMs: 1000 });
  const { src, clock, batches, counts } = watch;
  const path = join(src, "status.json");
  const version = (i: number) => `{"tick": ${i}}`;
  let tick = 0;
  // Lets the watch take up what the clock's advance made due (bounded). Its
  // one sleep on the clock (until its next pass) still pending: the advance
  // made nothing due, and there is nothing to wait for (half the advances;
  // waiting out the bound for those was 17 of this test's 19 s).
  const settled = async () => {
    const before = counts.idle;
    for (let i = 0; i < 25 && counts.idle === before && clock.pending === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const uploaded = async () => (await storeContents(watch.store))["status.json"];
  for (let waited = 0; waited < LONGEST_WAIT_MS + 5_000; waited += 900) {
    await Deno.writeTextFile(path, version(++tick));
    // Written now by the watch's clock: a full pass takes it for one being written.
    const now = new Date(clock.now());
    await Deno.utime(path, now, now);
    await clock.advance(900);
    await settled();
    if ((await uploaded()) !== undefined) break;
  }
  const stored = await uploaded();
  assert(stored !== undefined, `never mirrored: ${batches.length} passes and batches`);
  assertMatch(stored, /^\{"tick": \d+\}$/);
});
