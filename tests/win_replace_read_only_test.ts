// Replacing a file whose read-only attribute is set (a Perforce or TFS
// checkout, a copy of a read-only file): Windows refuses the rename with the
// same "Access is denied (os error 5)" as for a file another program holds
// open. That one is worth a second of retries; a read-only file is not, and
// the error blamed a program that had it open, which nobody could find. Now
// it fails at once, saying the file is read-only. The LOGIC only: run on
// Linux by switching `fsPlatform.mandatoryLocks` and making renames fail the
// way Windows does; Deno reports a read-only file's mode as 0444 there.
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { writeFileAtomic, writeFileAtomicSync } from "../src/atomic_write.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("Windows strategy (logic): replacing a read-only file fails at once, naming why", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a.csv`;
    await Deno.writeTextFile(path, "old");
    await Deno.chmod(path, 0o444);
    const original = Deno.renameSync;
    let calls = 0;
    Deno.renameSync = () => {
      calls++;
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    };
    try {
      await withFsPlatform({ mandatoryLocks: true }, async () => {
        const started = Date.now();
        const e = await assertRejects(
          () => writeFileAtomic(path, "new"),
          Deno.errors.PermissionDenied,
        );
        assert(e.message.includes(`cannot replace ${path}: it is read-only`), e.message);
        assert(e.message.includes("attrib -r"), e.message);
        assertEquals(calls, 1, "no retries: waiting does not clear the attribute");
        assert(Date.now() - started < 500, "failed at once, not after the retries");
        const s = assertThrows(
          () => writeFileAtomicSync(path, "new"),
          Deno.errors.PermissionDenied,
        );
        assert(s.message.includes("it is read-only"), s.message);
      });
    } finally {
      Deno.renameSync = original;
    }
    assertEquals(await Deno.readTextFile(path), "old", "the old content stays");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a.csv"], "no temp file left");
  }, "vc-win-read-only-");
});
