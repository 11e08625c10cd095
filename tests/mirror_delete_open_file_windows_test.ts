// A store → local mirror with --delete removing a local file another
// program holds open (an editor, a viewer, a virus scanner that has just
// opened the new file), where Windows refuses the delete with a sharing
// violation (os error 32). Such holds are mostly brief: the delete is tried
// again for about a second, as a replace is (src/replace_file.ts), and one
// held for good fails naming the program's hold, not the bare system error.
// The Windows strategy's LOGIC, run on Linux by switching
// `fsPlatform.mandatoryLocks` and making `Deno.remove` fail as Windows does.
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { storeWith } from "./mirror_clash_helpers.ts";
import { tempDir, treeContents } from "./mirror_helpers.ts";
import { sharingViolation, whileRemoveRefused } from "./windows_remove_refusals.ts";

/** Runs `fn` as on Windows with `held` open elsewhere for its first `refusals` removals. */
async function whileHeld(held: string, refusals: number, fn: () => Promise<void>): Promise<void> {
  await whileRemoveRefused(held, refusals, sharingViolation, fn);
}

Deno.test("mirror store → local --delete (Windows logic): a file held open for a moment is deleted", async () => {
  await using dir = await tempDir();
  await using store = await storeWith({ a: "a", b: "b" });
  const target = join(dir.dir, "t");
  const options = { sources: [store], target, delete: true, statePath: join(dir.dir, "s.db") };
  assertEquals((await mirror(options)).transferred, 2);
  await store.delete(["b"]);
  await whileHeld(join(target, "b"), 2, async () => {
    const r = await mirror(options);
    assertEquals(r.failed, []);
    assertEquals(r.deleted, 1);
  });
  assertEquals(await treeContents(target), { a: "a" });
});

Deno.test("mirror store → local --delete (Windows logic): a file held open for good fails saying so", async () => {
  await using dir = await tempDir();
  await using store = await storeWith({ a: "a", b: "b" });
  const target = join(dir.dir, "t");
  const options = { sources: [store], target, delete: true, statePath: join(dir.dir, "s.db") };
  assertEquals((await mirror(options)).transferred, 2);
  await store.delete(["b"]);
  await whileHeld(join(target, "b"), Infinity, async () => {
    const r = await mirror(options);
    assertEquals(r.deleted, 0);
    assertEquals(r.failed.map((f) => f.key), ["b"]);
    assertMatch(r.failed[0]!.error, /another program has it open/);
  });
  assertEquals(await treeContents(target), { a: "a", b: "b" });
});
