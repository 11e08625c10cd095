/**
 * `vc lock` rewrites the lock file, as `add` and `update` do, and these
 * refuse a lock file that is a FIFO, socket or device before they read it.
 * `vc lock` read it: a FIFO no one writes to blocked it for good, and one
 * that was read was read again under the lock (blocking then) before a file
 * was renamed over it. Now it is refused at once, naming the file and what
 * it is, and left there. (`vc lock --check` and `--frozen` only read it.)
 */
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { mkfifo } from "./fifo.ts";

Deno.test({
  name: "vc lock: a FIFO in the lock file's place is refused, named, and left there",
  ignore: Deno.build.os === "windows", // FIFOs are POSIX
}, async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/d/a.csv", "a.csv")).code, 0);
  const lockFile = ws.path("versioned_assets.lock.json");
  const locked = await Deno.readFile(lockFile);
  await Deno.remove(lockFile);
  mkfifo(lockFile);
  // A writer of the complete lock file, so that a `vc lock` that opens the
  // FIFO reads it (nothing left to lock: no second read that would block)
  // and the test fails instead of hanging; released below otherwise.
  let opened = false;
  const writer = (async () => {
    const file = await Deno.open(lockFile, { write: true });
    opened = true;
    try {
      await file.write(locked);
    } finally {
      file.close();
    }
  })();
  try {
    const r = await ws.vc("lock");
    assertFailure(r, 1, lockFile, "a FIFO");
    assert(!opened, "the FIFO was opened");
    assert((await Deno.lstat(lockFile)).isFifo, "the FIFO was replaced");
  } finally {
    if (!opened) {
      const reader = await Deno.open(lockFile, { read: true });
      await reader.readable.pipeTo(new WritableStream());
    }
    await writer;
  }
});
