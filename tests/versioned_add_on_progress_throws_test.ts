/**
 * `VersionedCache.add` with an `onProgress` that throws rejected with the
 * bare value thrown (as if the store had failed), and one whose promise
 * rejects (an `async` callback) ended the process with an unhandled
 * rejection. Now either rejects with a `CallbackError` naming `onProgress`,
 * its `cause` what was thrown: the upload is aborted, no version is left in
 * the bucket, the manifest is not written, and an add afterwards works.
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { walkFiles } from "../src/walk.ts";
import { assert, assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`VersionedCache.add: an onProgress that ${how} rejects with a CallbackError, nothing published`, async () => {
    await using w = await workspace();
    const file = join(w.dir, "big.bin");
    await Deno.writeFile(file, new Uint8Array(8 * 1024 * 1024).fill(3));
    const boom = new Error(`progress ${how}`);
    const result = await w.vc.add("/data/big.bin", file, {
      onProgress: how === "throws"
        ? () => {
          throw boom;
        }
        : () => Promise.reject(boom),
    }).then((ok) => ({ ok }), (error: unknown) => ({ error }));
    assert("error" in result, `resolved: ${JSON.stringify(result)}`);
    assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
    assertEquals(result.error.callback, "onProgress");
    assert(result.error.cause === boom, `cause: ${result.error.cause}`);
    const objects: string[] = [];
    // The bucket directory is made by the first write into it.
    if (await Deno.stat(w.bucket).then(() => true, () => false)) {
      for await (const f of walkFiles(w.bucket)) objects.push(f.key);
    }
    assertEquals(objects.filter((k) => k.includes("big")), []);
    assertEquals(await Deno.stat(w.manifest).then(() => true, () => false), false);
    assertEquals(await w.vc.add("/data/big.bin", file), "1.0.0");
  });
}
