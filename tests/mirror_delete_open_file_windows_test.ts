// A store → local mirror with --delete removing a local file another
// program holds open (an editor, a viewer, a virus scanner that has just
// opened the new file), where Windows refuses the delete with a sharing
// violation (os error 32). Such holds are mostly brief: the delete is tried
// again for about a second, as a replace is (src/replace_file.ts), and one
// held for good fails naming the program's hold, not the bare system error.
// The Windows strategy's LOGIC, run on Linux by switching
// `fsPlatform.mandatoryLocks` and making `Deno.remove` fail as Windows does.
import { assertEquals, assertMatch } from "./assert.ts";
import { mirrorDeleteRefused } from "./mirror_delete_refused.ts";
import { sharingViolation } from "./windows_remove_refusals.ts";

Deno.test("mirror store → local --delete (Windows logic): a file held open for a moment is deleted", async () => {
  const { report, left } = await mirrorDeleteRefused(2, sharingViolation);
  assertEquals(report.failed, []);
  assertEquals(report.deleted, 1);
  assertEquals(left, { a: "a" });
});

Deno.test("mirror store → local --delete (Windows logic): a file held open for good fails saying so", async () => {
  const { report, left } = await mirrorDeleteRefused(Infinity, sharingViolation);
  assertEquals(report.deleted, 0);
  assertEquals(report.failed.map((f) => f.key), ["b"]);
  assertMatch(report.failed[0]!.error, /another program has it open/);
  assertEquals(left, { a: "a", b: "b" });
});
