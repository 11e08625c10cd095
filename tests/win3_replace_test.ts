// Replacing a file another program holds open: the Windows strategy's
// retry LOGIC, run on Linux by switching `fsPlatform.mandatoryLocks` and
// making `Deno.renameSync` fail the way Windows does ("Access is denied
// (os error 5)"). It does not prove Windows' own rename semantics.
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { writeFileAtomic, writeFileAtomicSync } from "../src/atomic_write.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { renameOver, renameOverSync } from "../src/replace_file.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** Runs `fn` with `Deno.renameSync` failing like Windows for its first `failures` calls. */
async function withRefusedRenames(failures: number, fn: () => Promise<void>): Promise<number> {
  const original = Deno.renameSync;
  let calls = 0;
  Deno.renameSync = (from: string | URL, to: string | URL) => {
    if (calls++ < failures) {
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    }
    original(from, to);
  };
  try {
    await fn();
  } finally {
    Deno.renameSync = original;
  }
  return calls;
}

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir(fn, "vc-win3-");
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("Windows strategy (logic): a replace refused for a moment is retried", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.csv`;
    await Deno.writeTextFile(path, "old");
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const calls = await withRefusedRenames(2, async () => {
        await writeFileAtomic(path, "new");
        writeFileAtomicSync(path, "newer");
      });
      assertEquals(calls, 4, "two refusals and a rename (async), then one rename (sync)");
    });
    assertEquals(await Deno.readTextFile(path), "newer");
    assertEquals(names(dir), ["a.csv"], "no temp file left");
  });
});

Deno.test("Windows strategy (logic): a replace refused for good names the file; nothing lost", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.csv`;
    await Deno.writeTextFile(path, "old");
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      await withRefusedRenames(1000, async () => {
        const e = await assertRejects(
          () => writeFileAtomic(path, "new"),
          Deno.errors.PermissionDenied,
        );
        assert(e.message.includes(path), e.message);
        assert(e.message.includes("another program has it open"), e.message);
        const s = assertThrows(
          () => writeFileAtomicSync(path, "new"),
          Deno.errors.PermissionDenied,
        );
        assert(s.message.includes(path), s.message);
      });
    });
    assertEquals(await Deno.readTextFile(path), "old", "the old content stays");
    assertEquals(names(dir), ["a.csv"], "the temp files were removed");
  });
});

Deno.test("flock strategy: a refused rename fails at once, unchanged", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.csv`;
    await withFsPlatform({ mandatoryLocks: false }, async () => {
      const calls = await withRefusedRenames(1, async () => {
        await assertRejects(() => writeFileAtomic(path, "new"), Deno.errors.PermissionDenied);
      });
      assertEquals(calls, 1, "no retry");
    });
    assertEquals(names(dir), []);
  });
});

// The README promises about a second of retries: an antivirus scan or a
// viewer's hold outlasts the 0.6 s the retries took.
Deno.test("Windows strategy (logic): a replace held open is retried for about a second", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.csv`, "old");
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      for (const rename of [renameOver, renameOverSync]) {
        await Deno.writeTextFile(`${dir}/new`, "new");
        const start = performance.now();
        const calls = await withRefusedRenames(1000, async () => {
          await assertRejects(
            async () => await rename(`${dir}/new`, `${dir}/a.csv`),
            Deno.errors.PermissionDenied,
          );
        });
        const waited = performance.now() - start;
        assert(waited >= 950 && waited < 10_000, `gave up after ${waited.toFixed(0)} ms`);
        assertEquals(calls, 8, "seven retries after the first refusal");
      }
    });
    assertEquals(await Deno.readTextFile(`${dir}/a.csv`), "old");
  });
});
