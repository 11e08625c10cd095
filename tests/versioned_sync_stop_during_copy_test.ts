/**
 * A stop (Ctrl-C, SIGTERM) while `vc sync` checks a cached copy against its
 * record or copies it to DEST (seconds a GB each, also for an entry cached
 * long ago) was not heard until both were done: the entry was then copied
 * and reported as copied, after a Ctrl-C that seemed ignored. The stop now
 * cuts the copy, which checks the cached copy as it reads it: the entry is
 * not copied, DEST's file is left as it was, no temp file stays beside it,
 * and the cached copy stays cached.
 */
import { join } from "node:path";
import { SyncInterruptedError } from "../src/versioned/sync_interrupted.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { randomBytes, workspace } from "./versioned_helpers.ts";

const SIZE = 8 * 1024 * 1024;
const shown = (seen: string[]) => seen.slice(0, 6).join(", ");

// The check is made in the read that copies (no `checking` read of its own).
for (const step of ["copying"] as const) {
  Deno.test(`vc sync: a stop while ${step} a cached copy leaves DEST's file as it was`, async () => {
    await using ws = await workspace();
    const src = join(ws.dir, "big.bin");
    await Deno.writeFile(src, randomBytes(SIZE));
    await ws.vc.add("/big.bin", src);
    const cached = await ws.vc.path("/big.bin");
    const out = join(ws.dir, "out");
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "big.bin"), "the copy of an earlier sync\n");

    const stop = new AbortController();
    const seen: string[] = [];
    const error = await assertRejects(
      () =>
        ws.vc.syncSettled(out, {
          // The file is no copy of vc's (no record): replaced only when forced.
          force: true,
          signal: stop.signal,
          onProgress: (p) => {
            if (p.step === undefined) return;
            seen.push(`${p.step.name} ${p.step.bytes}`);
            // The copy reports its start, then its chunks.
            if (p.step.name === step && p.step.bytes > 0) stop.abort();
          },
        }),
      SyncInterruptedError,
    );
    assert(seen.some((s) => s.startsWith(step)), `no ${step} step: ${shown(seen)}`);
    assertEquals(error.report.copied, [], `the stopped entry was copied: ${shown(seen)}`);
    assertEquals(error.report.failed, []);
    // Cut, not read to the end.
    const last = seen.filter((s) => s.startsWith(step)).at(-1)!;
    assert(Number(last.split(" ")[1]) < SIZE, `${step} went on after the stop: ${shown(seen)}`);
    assertEquals(await Deno.readTextFile(join(out, "big.bin")), "the copy of an earlier sync\n");
    assertEquals(
      [...Deno.readDirSync(out)].map((e) => e.name).filter((n) => !n.startsWith(".vc-sync")),
      ["big.bin"],
    );
    // The cached copy is intact and still cached: the next run copies it.
    assertEquals((await Deno.stat(cached)).size, SIZE);
    const again = await ws.vc.syncSettled(out, { force: true });
    assertEquals(again.copied.map((c) => c.path), ["/big.bin"]);
    assertEquals((await Deno.stat(join(out, "big.bin"))).size, SIZE);
  });
}

Deno.test("AssetCache.copyVerified: an aborted signal stops before anything is written", async () => {
  await using ws = await workspace();
  const src = join(ws.dir, "a.bin");
  await Deno.writeFile(src, randomBytes(1024));
  await ws.vc.add("/a.bin", src);
  const cached = await ws.vc.path("/a.bin");
  const dest = join(ws.dir, "out", "a.bin");
  const reason = new DOMException("stopped", "AbortError");
  const error = await assertRejects(() =>
    ws.cache.copyVerified(cached, dest, { signal: AbortSignal.abort(reason) })
  );
  assertEquals(error, reason);
  assertEquals(await Deno.stat(dest).then(() => true, () => false), false);
  assertEquals((await Deno.stat(cached)).size, 1024);
});
