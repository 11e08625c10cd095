/**
 * `vc serve add-token` on a full disk or a read-only mount. It failed with
 * the system's words alone: `vc: No space left on device (os error 28)`,
 * naming no file, and on a read-only mount `Read-only file system (os error
 * 30): open '…/.tokens.json.lock'`, naming only the lock. Each now names the
 * token file and says why; the file is left as it was, with no temp file
 * beside it. Needs mounts (root on Linux); ignored elsewhere.
 */
import { join } from "node:path";
import { addToken } from "../src/server/auth.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { canMount, fillDisk, probeReadOnlyMount, readOnlyMount, tmpfsScratch } from "./mounts.ts";

const canMountReadOnly = await probeReadOnlyMount();

/** A tmpfs holding a token file with one token; `fn` gets its paths. */
async function withTokenFile(fn: (mnt: string, file: string) => Promise<void>): Promise<void> {
  await using scratch = await tmpfsScratch("vc-add-token-disk-", { options: "size=256k" });
  const file = join(scratch.mnt, "tokens.json");
  await addToken(file, "alice");
  await fn(scratch.mnt, file);
}

/** `addToken` fails naming the token file and `why`, and leaves the directory as it was. */
async function refused(mnt: string, file: string, why: string): Promise<void> {
  const text = await Deno.readTextFile(file);
  const names = [...Deno.readDirSync(mnt)].map((e) => e.name).sort();
  const e = await assertRejects(() => addToken(file, "bob"));
  assertStringIncludes(e.message, `cannot write token file ${file}`); // was: the OS's words alone
  assertStringIncludes(e.message, why);
  assertEquals(await Deno.readTextFile(file), text);
  assertEquals([...Deno.readDirSync(mnt)].map((e) => e.name).sort(), names);
}

Deno.test({
  name: "serve add-token: a token file on a full disk is named, and kept as it was " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTokenFile(async (mnt, file) => {
      await fillDisk(join(mnt, "filler"));
      await refused(mnt, file, "no space left");
    }),
});

Deno.test({
  name: "serve add-token: a token file on a read-only mount is named, and kept as it was " +
    "(ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  fn: () =>
    withTokenFile(async (mnt, file) => {
      // The lock file is made by the first add; a fresh directory has none.
      await Deno.remove(join(mnt, ".tokens.json.lock"));
      assertEquals(
        await readOnlyMount(mnt, () => refused(mnt, file, "read-only file system")),
        true,
      );
    }),
});
