/**
 * `withFileLock` callers of one lock path in one process take turns in a
 * queue before the `flock`: a caller queued behind another of this process
 * (two `VersionedCache.add` of one manifest at once, a library's) did not
 * hear its signal until the holder was done, so its abort (a Ctrl-C, a
 * deadline) waited for the holder: for ever behind a holder that waits
 * itself. The queued wait now stops on the abort, and the callers behind
 * it still wait for the holder. Here the holder lets go only at the end of
 * the test (or at its bound, so a hang fails rather than hangs).
 */
import { withFileLock } from "../src/file_lock.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("withFileLock: an abort stops a wait queued behind a holder of this process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_queued_abort_" });
  const lock = `${dir}/.m.json.lock`;
  const gate = Promise.withResolvers<void>();
  let letGo = false;
  const release = () => {
    letGo = true;
    gate.resolve();
  };
  // Bounds a hang (the bug): the holder lets go, and the order below tells.
  const bound = setTimeout(release, 10_000);
  try {
    const order: string[] = [];
    const holding = Promise.withResolvers<void>();
    const first = withFileLock(lock, async () => {
      holding.resolve();
      await gate.promise;
      order.push("first done");
    });
    await holding.promise;
    const stop = new AbortController();
    let stoppedWhileHeld: boolean | undefined;
    const second = withFileLock(lock, () => {
      order.push("second ran");
    }, { signal: stop.signal }).then(
      () => "ran",
      (e: Error) => {
        stoppedWhileHeld = !letGo;
        return e.message;
      },
    );
    const third = withFileLock(lock, () => {
      order.push("third ran");
    });
    stop.abort(new Error("stopped while queued"));
    assertEquals(await second, "stopped while queued");
    assert(stoppedWhileHeld === true, "the abort waited for the holder to let go");
    release();
    await first;
    await third;
    // The caller behind the aborted one still waited for the holder.
    assertEquals(order, ["first done", "third ran"]);
  } finally {
    clearTimeout(bound);
    release();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withFileLock: a free lock is taken with a signal aborted already, as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_queued_abort_" });
  try {
    const stop = new AbortController();
    stop.abort(new Error("late"));
    assertEquals(await withFileLock(`${dir}/.x.lock`, () => 7, { signal: stop.signal }), 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
