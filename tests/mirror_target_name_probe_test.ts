/**
 * Store → local mirrors decide whether names fold by the target's own file
 * system (a probe, `src/name_probe.ts`), not by the operating system: Linux
 * mounts case-insensitive file systems (WSL's `/mnt/c`, SMB, FAT/exFAT,
 * ext4 casefold) and macOS/Windows case-sensitive ones. This kernel mounts
 * none, so a case-insensitive target is simulated through the probe's
 * look-up (`foldingLstat`) while the OS default says names are told apart.
 */
import { join } from "node:path";
import { withFsPlatform } from "../src/fs_platform.ts";
import { namesFoldIn, probeNames, withNameProbe } from "../src/name_probe.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { countingFoldingLstat, foldingLstat } from "./case_insensitive_fs.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

/** The OS default says case-sensitive (Linux); only the target's probe says it folds. */
function onFoldingTarget<T>(fn: () => Promise<T>): Promise<T> {
  return withFsPlatform(
    { caseInsensitive: false },
    () => withNameProbe({ lstat: foldingLstat }, fn),
  );
}

Deno.test("name probe: this machine's temp dir tells letter case apart, and the probe leaves nothing", async () => {
  await using w = await tempDir();
  // Run where the OS default says the opposite: the probe's answer wins.
  await withFsPlatform({ caseInsensitive: true }, async () => {
    await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, () => {
      assertEquals(
        probeNames(w.dir),
        Deno.build.os === "linux" ? false : probeNames(w.dir),
      );
      assertEquals(namesFoldIn(w.dir), probeNames(w.dir));
    });
  });
  assertEquals([...Deno.readDirSync(w.dir)], []);
});

Deno.test("name probe: a target not made yet is asked of its parent; leaves nothing there either", async () => {
  await using w = await tempDir();
  await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, () => {
    assertEquals(typeof probeNames(join(w.dir, "not", "yet")), "boolean");
  });
  assertEquals([...Deno.readDirSync(w.dir)], []);
});

Deno.test("name probe: a look that throws still removes the probe file, and the OS default stands", async () => {
  await using w = await tempDir();
  const failing = {
    lstat: (): Deno.FileInfo => {
      throw new Deno.errors.PermissionDenied("no");
    },
  };
  for (const os of [true, false]) {
    await withFsPlatform({ caseInsensitive: os }, async () => {
      await withNameProbe(failing, () => {
        assertEquals(probeNames(w.dir), undefined);
        assertEquals(namesFoldIn(w.dir), os);
      });
    });
  }
  assertEquals([...Deno.readDirSync(w.dir)], []);
});

Deno.test(
  "name probe: a read-only directory is told by a name it holds, an empty one keeps the OS default",
  {
    ignore: Deno.uid() === 0, // root writes into a read-only directory
  },
  async () => {
    await using w = await tempDir();
    const dir = join(w.dir, "ro");
    await Deno.mkdir(dir);
    await Deno.chmod(dir, 0o555);
    try {
      await withNameProbe({ lstat: foldingLstat }, async () => {
        for (const os of [true, false]) {
          await withFsPlatform({ caseInsensitive: os }, () => {
            assertEquals(namesFoldIn(dir), os);
          });
        }
      });
      await Deno.chmod(dir, 0o755);
      await Deno.writeTextFile(join(dir, "Data.csv"), "");
      await Deno.chmod(dir, 0o555);
      await withFsPlatform({ caseInsensitive: false }, async () => {
        assertEquals(await withNameProbe({ lstat: foldingLstat }, () => namesFoldIn(dir)), true);
        assertEquals(
          await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, () => namesFoldIn(dir)),
          false,
        );
      });
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["Data.csv"]);
    } finally {
      await Deno.chmod(dir, 0o755);
    }
  },
);

Deno.test("mirror (store → local) on a case-insensitive target under Linux: twins are refused, not written in turns", async () => {
  await onFoldingTarget(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/A.txt", enc.encode("upper"));
    await b.store.put("p/a.txt", enc.encode("lower"));
    const opts = prefixToLocal(b.store, w.dir, { delete: true });
    const r = await mirror(opts);
    assertEquals(r.failed.map((f) => f.key), ["a.txt"]);
    assertStringIncludes(r.failed[0]!.error, "letter case");
    assertEquals(r.transferred, 1);
    assertEquals(await treeContents(opts.target), { "A.txt": "upper" });
    const again = await mirror(opts);
    assertEquals([again.transferred, again.deleted, again.failed.length], [0, 0, 1]);
  });
});

Deno.test("mirror (store → local) on a case-insensitive target under Linux: a local file in another case is the key's file, never deleted", async () => {
  await onFoldingTarget(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/README", enc.encode("store"));
    const opts = prefixToLocal(b.store, w.dir, { delete: true });
    await writeTree(opts.target, { "readme": "user's" });
    const r = await mirror(opts);
    assertEquals(r.failed, []);
    // There `readme` is the file `README` names: written in place, not
    // downloaded beside it and then deleted as a file the store lacks.
    assertEquals([r.transferred, r.deleted], [1, 0]);
    assertEquals(await treeContents(opts.target), { "readme": "store" });
  });
});

Deno.test("mirror (store → local) on a case-sensitive target where the OS default folds (macOS, Windows): twins are both written", async () => {
  await withFsPlatform({ caseInsensitive: true }, async () => {
    await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, async () => {
      await using b = await fakeBackend();
      await using w = await tempDir();
      await b.store.put("p/A.txt", enc.encode("upper"));
      await b.store.put("p/a.txt", enc.encode("lower"));
      const opts = prefixToLocal(b.store, w.dir, { delete: true });
      const r = await mirror(opts);
      assertEquals(r.failed, []);
      assertEquals(await treeContents(opts.target), { "A.txt": "upper", "a.txt": "lower" });
    });
  });
});

Deno.test("mirror (store → local): the target is probed once, not per file nor per run", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  for (let i = 0; i < 5; i++) await b.store.put(`p/F${i}.txt`, enc.encode(`${i}`));
  const counting = countingFoldingLstat();
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe(counting, async () => {
      const opts = prefixToLocal(b.store, w.dir);
      await mirror(opts);
      const first = counting.looks();
      // One temp file, found by its upper-case spelling: one look.
      assertEquals(first, 1);
      await b.store.put("p/G.txt", enc.encode("g"));
      assertEquals((await mirror(opts)).transferred, 1);
      assertEquals(counting.looks(), first);
    });
  });
});
