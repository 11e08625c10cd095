/**
 * `vc adopt` of a manifest's many paths HEADed and copied one path at a
 * time: at least three requests a version, one after another (300 paths
 * took 6.5 s against a local S3, hours for tens of thousands against a
 * remote one). It now adopts several paths at once, as `vc sync` reads them.
 */
import type { ObjectStore } from "../src/store/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("adopt of many paths has several HEADs in flight at once", async () => {
  let inFlight = 0;
  let most = 0;
  // Each HEAD takes a turn of the event loop, counted while in flight.
  const wrap = (store: ObjectStore): ObjectStore =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== "head" || typeof value !== "function") {
          return typeof value === "function" ? value.bind(target) : value;
        }
        return async (...args: Parameters<ObjectStore["head"]>) => {
          inFlight++;
          most = Math.max(most, inFlight);
          try {
            await new Promise((resolve) => setTimeout(resolve, 0));
            return await target.head(...args);
          } finally {
            inFlight--;
          }
        };
      },
    });
  await using ws = await workspace({ wrap });
  const paths: string[] = [];
  for (let i = 0; i < 6; i++) {
    await writeFile(ws.bucket, `d/t${i}-1.0.0.csv`, `${i}\n`);
    paths.push(`/d/t${i}.csv`);
  }
  const done = await ws.vc.adopt(paths);
  assertEquals(done.map((d) => d.versions.map((v) => v.status)), paths.map(() => ["copied"]));
  assert(most > 1, `at most ${most} HEAD in flight`);
});
