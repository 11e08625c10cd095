/**
 * The failures a run reports instead of throwing carry their kind as
 * `errorName` (one of `ERROR_KINDS`, as `errorKind` names it), typed
 * `ErrorKind`, in every capability, so a script branches on it as it does on
 * a thrown error's `errorKind`. `prefill`'s was typed `string` (a
 * `switch` over it could not be checked, an assignment to `ErrorKind` needed a
 * cast), and `mirror`'s failures had only their message text: a refused key
 * could not be told from a store that was down but by parsing the words.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { AssetCache, type ErrorKind, prefill, StoreError } from "../mod.ts";
import { mirror, type MirrorFailure } from "../src/mirror/mod.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { PutOptions, PutResult } from "../src/store/types.ts";

/** A store that is down for writes: every put fails as S3's 503 does after its retries. */
class WritesDown extends MemoryStore {
  override put(key: string, _body: unknown, _options?: PutOptions): Promise<PutResult> {
    return Promise.reject(
      new StoreError(`PUT memory://down/${key} failed: 503 SlowDown`, {
        status: 503,
      }),
    );
  }
}

Deno.test("prefill: a failure's errorName is an ErrorKind", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_failure_kind_prefill_" });
  try {
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const summary = await prefill({ cache, uris: [`file://${dir}/missing.csv`] });
    // Typed: no cast from `string`.
    const kinds: ErrorKind[] = summary.failed.map((f) => f.errorName);
    assertEquals(kinds, ["NotFoundError"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror: a failure names its kind, a refused key apart from a store that is down", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_failure_kind_mirror_" });
  try {
    const src = join(dir, "src");
    await Deno.mkdir(src);
    // Over the 240 bytes a directory store's key segment may have.
    const long = "n".repeat(250);
    await Deno.writeTextFile(join(src, long), "x");
    const refused = await mirror({
      sources: [src],
      target: `file://${dir}/bucket`,
      statePath: join(dir, "refused.sqlite"),
    });
    const kinds = (failed: MirrorFailure[]) =>
      failed.map((f): [string | undefined, ErrorKind | undefined] => [f.key, f.errorName]);
    assertEquals(kinds(refused.failed), [[long, "InvalidInputError"]]);

    await Deno.remove(join(src, long));
    await Deno.writeTextFile(join(src, "a.txt"), "a");
    await using down = new WritesDown();
    const failed = await mirror({
      sources: [src],
      target: down,
      statePath: join(dir, "down.sqlite"),
    });
    assertEquals(kinds(failed.failed), [["a.txt", "StoreError"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
