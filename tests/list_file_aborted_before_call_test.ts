// The prefill list readers given a signal that aborted before the call: a
// regular file was read at once and the signal never looked at, so the call
// resolved where every other call rejects with the signal's reason.
import { listEntries, readListEntries, readListFile } from "../src/prefill/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const readers = {
  readListFile,
  readListEntries,
  listEntries,
};

for (const [name, read] of Object.entries(readers)) {
  Deno.test(`${name}: a signal aborted before the call rejects with its reason`, async () => {
    const file = await Deno.makeTempFile({ prefix: "vc_list_preaborted_" });
    try {
      await Deno.writeTextFile(file, "s3://b/k.csv\n");
      const reason = new Error("aborted already");
      const error = await assertRejects(() => read(file, { signal: AbortSignal.abort(reason) }));
      assertEquals(error, reason);
    } finally {
      await Deno.remove(file);
    }
  });
}
