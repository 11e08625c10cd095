/**
 * `vc sync` refused a file edited in DEST only after downloading the object
 * it would have replaced it with: a locally edited 20 MB model, on a cold
 * cache or a moved pin, cost its whole download on every sync, then failed.
 * When the lock file pins the entry's size and SHA-256, the file in DEST is
 * judged against them first: an edit is refused before anything is fetched;
 * a file that holds the pinned bytes (or one vc wrote, unchanged since) is
 * still replaced as before. An entry whose place no copy can take (a
 * directory there, a file where one of its directories belongs) fails
 * before its download too, forced or not.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { PreconditionFailedError } from "../src/errors.ts";

/** A workspace whose stores count the GETs of each key. */
async function counted() {
  const gets = new Map<string, number>();
  const ws = await workspace({
    wrap: (inner) =>
      new (class extends WrappingStore {
        override get(key: string, options?: GetOptions): Promise<GetResult> {
          gets.set(key, (gets.get(key) ?? 0) + 1);
          return super.get(key, options);
        }
      })(inner),
  });
  return { ws, gets };
}

Deno.test("vc sync refuses a file edited in DEST without downloading the pinned object", async () => {
  const { ws, gets } = await counted();
  await using _ = ws;
  await ws.vc.add("/m.bin", await writeFile(ws.dir, "m1.bin", "model one\n"));
  const out = join(ws.dir, "out");
  await ws.vc.sync(out);
  await Deno.writeTextFile(join(out, "m.bin"), "model one, tuned by hand\n");
  // The pin moves to a version this cache never held.
  await ws.vc.update("/m.bin", await writeFile(ws.dir, "m2.bin", "model two\n"), { patch: true });
  await ws.cache.prune({ maxBytes: 0 });
  gets.clear();

  const r = await ws.vc.syncSettled(out);
  assertEquals(r.failed.map((f) => f.path), ["/m.bin"]);
  assert(r.failed[0]!.error instanceof PreconditionFailedError, String(r.failed[0]!.error));
  assertEquals(await Deno.readTextFile(join(out, "m.bin")), "model one, tuned by hand\n");
  assertEquals([...gets.keys()], [], "nothing fetched for a file that is kept");
});

Deno.test("vc sync still replaces its own unchanged copy, and adopts one holding the pinned bytes", async () => {
  const { ws } = await counted();
  await using _ = ws;
  await ws.vc.add("/a.bin", await writeFile(ws.dir, "a1.bin", "a one\n"));
  await ws.vc.add("/b.bin", await writeFile(ws.dir, "b1.bin", "b one\n"));
  const out = join(ws.dir, "out");
  await ws.vc.sync(out);
  await ws.vc.update("/a.bin", await writeFile(ws.dir, "a2.bin", "a two\n"), { patch: true });
  await ws.vc.update("/b.bin", await writeFile(ws.dir, "b2.bin", "b two\n"), { patch: true });
  // Put there by hand (or baiji-pod's sync): the bytes pinned now.
  await Deno.writeTextFile(join(out, "b.bin"), "b two\n");
  await ws.cache.prune({ maxBytes: 0 });

  const r = await ws.vc.syncSettled(out);
  assertEquals(r.failed, []);
  assert(r.copied.length + r.unchanged.length === 2);
  assertEquals(await Deno.readTextFile(join(out, "a.bin")), "a two\n");
  assertEquals(await Deno.readTextFile(join(out, "b.bin")), "b two\n");
});

Deno.test("vc sync fails an entry whose place in DEST no copy can take without downloading it", async () => {
  const { ws, gets } = await counted();
  await using _ = ws;
  await ws.vc.add("/a.bin", await writeFile(ws.dir, "a1.bin", "a one\n"));
  await ws.vc.add("/d/b.bin", await writeFile(ws.dir, "b1.bin", "b one\n"));
  const out = join(ws.dir, "out");
  // A directory where /a.bin goes, a file where /d/b.bin needs a directory.
  await Deno.mkdir(join(out, "a.bin"), { recursive: true });
  await Deno.writeTextFile(join(out, "d"), "a file of mine\n");
  await ws.cache.prune({ maxBytes: 0 });
  gets.clear();

  for (const force of [false, true]) {
    const r = await ws.vc.syncSettled(out, { force });
    assertEquals(r.failed.map((f) => f.path), ["/a.bin", "/d/b.bin"]);
    assert(
      String(r.failed[0]!.error).includes(
        `cannot write ${join(out, "a.bin")}: a directory is there`,
      ),
      String(r.failed[0]!.error),
    );
    assert(
      String(r.failed[1]!.error).includes(
        `a file is where one of its directories belongs: ${join(out, "d")}`,
      ),
      String(r.failed[1]!.error),
    );
    assertEquals([...gets.keys()], [], "nothing fetched for entries that cannot be written");
  }
});
