/**
 * Two `vc update`s of one path that both publish (the second lists the
 * bucket after the first uploaded, so it publishes the next version): the
 * first pins last. Each pin used to set the entry to its own version, so the
 * manifest went back to the lower one while the bucket's latest, reported as
 * pinned by the other process, was lost from it.
 */
import type { ObjectStore, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import { InvalidInputError } from "../src/errors.ts";

/** Calls `race` once, after the put of `key` landed and before its caller goes on. */
class RaceAfterPut extends WrappingStore {
  armed = false;
  constructor(inner: ObjectStore, readonly key: string, readonly race: () => Promise<void>) {
    super(inner);
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const result = await this.inner.put(key, body, options);
    if (key === this.key && this.armed) {
      this.armed = false;
      await this.race();
    }
    return result;
  }
}

Deno.test("an update that pins after another update pinned a higher version of the path leaves the higher pin", async () => {
  const side: { winner?: VersionedCache; store?: RaceAfterPut } = {};
  await using ws = await workspace({
    wrap: (store) =>
      side.store ??= new RaceAfterPut(store, "t.1.0.1.csv", async () => {
        const mine = await writeFile(ws.dir, "later.csv", "later\n");
        await side.winner!.update("/t.csv", mine, { patch: true });
      }),
  });
  await using later = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
  });
  side.winner = later;
  const file = await writeFile(ws.dir, "t.csv", "one\n");
  await ws.vc.add("/t.csv", file);
  await writeFile(ws.dir, "t.csv", "two\n");
  side.store!.armed = true;
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { patch: true }),
    InvalidInputError,
    "another process pinned /t.csv 1.0.2 meanwhile, a higher version, which was kept",
  );
  assertEquals(JSON.parse(await Deno.readTextFile(ws.manifest)), { "/t.csv": "1.0.2" });
  assertEquals(await Deno.readTextFile(`${ws.bucket}/t.1.0.2.csv`), "later\n");
});
