/**
 * The store → local `--delete` run the Windows-logic tests repeat: a local
 * file whose removal Windows refuses (held open, access denied) while the
 * mirror deletes it because its object is gone from the store.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorReport } from "../src/mirror/types.ts";
import { storeWith } from "./mirror_clash_helpers.ts";
import { tempDir, treeContents } from "./mirror_helpers.ts";
import { whileRemoveRefused } from "./windows_remove_refusals.ts";

/**
 * Mirrors a store holding `a` and `b` down with `--delete`, deletes `b` from
 * the store, and mirrors again as on Windows with the removal of the local
 * `b` refused with `refusal` for its first `refusals` tries: that run's
 * report, and what the target holds after it.
 */
export async function mirrorDeleteRefused(
  refusals: number,
  refusal: (path: string) => Error,
): Promise<{ report: MirrorReport; left: Record<string, string> }> {
  await using dir = await tempDir();
  await using store = await storeWith({ a: "a", b: "b" });
  const target = join(dir.dir, "t");
  const options = { sources: [store], target, delete: true, statePath: join(dir.dir, "s.db") };
  assertEquals((await mirror(options)).transferred, 2);
  await store.delete(["b"]);
  let report: MirrorReport | undefined;
  await whileRemoveRefused(join(target, "b"), refusals, refusal, async () => {
    report = await mirror(options);
  });
  return { report: report!, left: await treeContents(target) };
}
