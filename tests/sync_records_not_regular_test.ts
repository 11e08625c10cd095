/**
 * `vc sync DEST` reads its records (`DEST/.vc-sync.json`) before it copies
 * anything. Something else at that name (a FIFO, a link to a device) was
 * read as a file: a FIFO no one writes to blocked the sync for good (holding
 * DEST's sync lock), a link to `/dev/zero` was read until memory ran out,
 * and a FIFO that was read had a file renamed over it at the end. Now the
 * sync fails at once, naming the file and what it is, and leaves it there.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { mkfifo } from "./fifo.ts";

const unix = Deno.build.os !== "windows";

async function pinned(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/d/a.csv", "a.csv")).code, 0);
  await Deno.mkdir(ws.path("out"));
  return ws;
}

Deno.test({
  name: "vc sync: a FIFO at DEST/.vc-sync.json is refused, named, and left there",
  ignore: !unix, // FIFOs are POSIX
}, async () => {
  await using ws = await pinned();
  const fifo = ws.path("out/.vc-sync.json");
  mkfifo(fifo);
  // A writer, so that a sync that opens the FIFO reads records instead of
  // blocking (the test fails rather than hangs); released below otherwise.
  let opened = false;
  const writer = (async () => {
    const file = await Deno.open(fifo, { write: true });
    opened = true;
    try {
      await file.write(new TextEncoder().encode('{"version":1,"files":{}}\n'));
    } finally {
      file.close();
    }
  })();
  try {
    const r = await ws.vc("sync", "out");
    assertFailure(r, 1, fifo, "a FIFO");
    assert(!opened, "the FIFO was opened");
    assert((await Deno.lstat(fifo)).isFifo, "the FIFO was replaced");
    assert(!r.stdout.includes("/d/a.csv"), r.stdout);
  } finally {
    // Unblocks the writer when the sync did not open the FIFO.
    if (!opened) {
      const reader = await Deno.open(fifo, { read: true });
      await reader.readable.pipeTo(new WritableStream());
    }
    await writer;
  }
});

Deno.test({
  name: "vc sync: DEST/.vc-sync.json linked to a device is refused, not read",
  ignore: !unix, // /dev/zero is POSIX
}, async () => {
  await using ws = await pinned();
  // /dev/null reads as empty: the link is followed and refused the same way
  // /dev/zero is, without a test that could fill memory.
  const records = ws.path("out/.vc-sync.json");
  await Deno.symlink("/dev/null", records);
  const r = await ws.vc("sync", "out");
  assertFailure(r, 1, records, "a device");
  assertEquals(await Deno.readLink(records), "/dev/null");
  assertEquals((await Deno.lstat(join(ws.dir, "out"))).isDirectory, true);
});

Deno.test("vc sync: a directory at DEST/.vc-sync.json is refused before anything is copied", async () => {
  await using ws = await pinned();
  const records = ws.path("out/.vc-sync.json");
  await Deno.mkdir(records);
  const r = await ws.vc("sync", "out");
  assertFailure(r, 1, records, "a directory");
  // It used to copy every file, then fail to save the records.
  assertEquals(await Deno.lstat(ws.path("out/d/a.csv")).catch(() => undefined), undefined);
  assert((await Deno.lstat(records)).isDirectory);
});
