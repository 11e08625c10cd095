/**
 * A watch's full pass that fails to read a file because it changed or
 * vanished meanwhile (a `git checkout` replacing it under the pass) leaves
 * it to the watch's queue, as it leaves a file still being written:
 * deferred, not a failure line for each file of the checkout. A one-shot
 * run still says it failed.
 */
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { Mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { tempDir } from "./versioned_helpers.ts";

// Past 1 MiB a file is read from disk in parts, and checked after it went up.
const BIG = 2 * 1024 * 1024;

async function passRemovingFile(watch: boolean) {
  await using dir = await tempDir("vc-mirror-pass-in-change-");
  await using store = new MemoryStore();
  const src = join(dir.path, "s");
  await Deno.mkdir(src);
  const file = join(src, "big.bin");
  await Deno.writeFile(file, new Uint8Array(BIG).fill(7));
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(dir.path, "s.db"),
    onAction: (a) => {
      if (a.action !== "upload") return;
      // Unlinked by the checkout while it is read; its event arrives.
      Deno.removeSync(file);
    },
  });
  // The watch's event for it may not have come yet: `changing` says no.
  const report = await m.run(watch ? { settleMs: 0, changing: () => false } : {});
  return { report, file };
}

Deno.test("mirror watch pass: a file removed while read is deferred, not failed", async () => {
  const { report, file } = await passRemovingFile(true);
  assertEquals(report.failed, []);
  assertEquals(report.deferred, [file]);
  assertEquals(report.transferred, 0);
});

Deno.test("mirror one-shot run: a file removed while read fails, named", async () => {
  const { report } = await passRemovingFile(false);
  assertEquals(report.failed.length, 1);
  assertMatch(report.failed[0]!.error, /vanished while it was uploaded/);
  assertEquals(report.deferred, []);
});
