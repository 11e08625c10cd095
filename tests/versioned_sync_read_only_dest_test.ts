/**
 * `vc sync` into a DEST on a read-only file system (a CI job's read-only
 * checkout, a volume mounted `:ro`) failed with a bare
 * `Read-only file system (os error 30): open '…/.vc-sync.json.lock'`, where
 * a DEST this user may not write says what vc sync needs there. It now says
 * so on a read-only mount too, and that no chmod helps: sync to a writable
 * directory or remount it read-write.
 */
import { join } from "node:path";
import { assert, assertStringIncludes } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";

const canMountReadOnly = await probeReadOnlyMount();

Deno.test({
  name:
    "vc sync into a DEST on a read-only mount names its records and the read-only file system " +
    "(ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  async fn() {
    await using ws = await workspace();
    await Deno.writeTextFile(join(ws.dir, "t.csv"), "t\n");
    await ws.vc.add("/t.csv", join(ws.dir, "t.csv"));
    const out = join(ws.dir, "out");
    await Deno.mkdir(out);
    let message = "";
    assert(
      await readOnlyMount(out, async () => {
        message = await ws.vc.syncSettled(out).then(() => "", (e: Error) => e.message);
      }),
      "read-only bind mount",
    );
    assertStringIncludes(message, `\`sync()\` cannot keep its records in ${out}`);
    assertStringIncludes(message, "read-only file system: sync to a writable directory or remount");
  },
});
