// On Windows a remove is refused with "Access is denied (os error 5)", not
// only with a sharing violation (32), while another program holds the file:
// one that has it memory-mapped (numpy's memmap, `np.load(mmap_mode=...)`,
// Arrow's memory-mapped files, a running executable), or a file another
// handle has marked for deletion. That is as passing as a sharing violation,
// but `removeHeldFile` only waited out error 32: one mapped cached file
// failed a whole `vc cache prune` (its least recently used first, so at
// every run), and `vc mirror --delete` failed at once on a file a viewer
// had open. Error 5 on a file this user may write is now a hold (waited
// for, then `Busy`, kept by prune); on a read-only file it fails at once
// saying so; on a file this user may not write it stays the system's
// permission error. The Windows strategy's LOGIC, run on Linux by switching
// `fsPlatform.mandatoryLocks` and making `Deno.remove` fail as Windows does.
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { removeHeldFile, renameOver } from "../src/replace_file.ts";
import { cacheThree, withS3Cache } from "./cache_s3_helpers.ts";
import { mirrorDeleteRefused } from "./mirror_delete_refused.ts";
import { tempDir } from "./mirror_helpers.ts";
import { accessDenied, whileRemoveRefused } from "./windows_remove_refusals.ts";

/** Runs `fn` with removals of `held` refused as "Access is denied" for the first `refusals` tries. */
function whileDenied(held: string, refusals: number, fn: () => Promise<void>): Promise<number> {
  return whileRemoveRefused(held, refusals, accessDenied, fn);
}

Deno.test("removeHeldFile (Windows logic): access denied on a file held for a moment is waited out", async () => {
  await using dir = await tempDir();
  const path = join(dir.dir, "mapped.npy");
  await Deno.writeTextFile(path, "x");
  const tries = await whileDenied(path, 2, () => removeHeldFile(path));
  assertEquals(tries, 3, "two refusals, then the removal");
  await assertRejects(() => Deno.lstat(path), Deno.errors.NotFound);
});

Deno.test("removeHeldFile (Windows logic): access denied for good is Busy, naming the file", async () => {
  await using dir = await tempDir();
  const path = join(dir.dir, "mapped.npy");
  await Deno.writeTextFile(path, "x");
  const tries = await whileDenied(path, Infinity, async () => {
    const e = await assertRejects(() => removeHeldFile(path), Deno.errors.Busy);
    assertStringIncludes(e.message, path);
    assertStringIncludes(e.message, "another program has it open");
  });
  assert(tries > 1, `retried before giving up (${tries} tries)`);
  assertEquals(await Deno.readTextFile(path), "x");
});

Deno.test("removeHeldFile (Windows logic): access denied on a read-only file fails at once, saying so", async () => {
  await using dir = await tempDir();
  const path = join(dir.dir, "ro.csv");
  await Deno.writeTextFile(path, "x");
  await Deno.chmod(path, 0o444);
  const tries = await whileDenied(path, Infinity, async () => {
    const e = await assertRejects(() => removeHeldFile(path), Deno.errors.PermissionDenied);
    assertStringIncludes(e.message, `cannot remove ${path}: it is read-only`);
    assertStringIncludes(e.message, "attrib -r");
  });
  assertEquals(tries, 1, "no retries: waiting does not clear the attribute");
});

Deno.test("removeHeldFile (Windows logic): access denied on a file this user may not write stays a permission error", async () => {
  await using dir = await tempDir();
  const path = join(dir.dir, "theirs.csv");
  await Deno.writeTextFile(path, "x");
  // Another user's file (an ACL that denies this user): opening it to write is denied too.
  const { openSync } = Deno;
  Deno.openSync = (p, options) => {
    if (String(p) === path && options?.write === true) {
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    }
    return openSync(p, options);
  };
  try {
    const tries = await whileDenied(path, Infinity, async () => {
      const e = await assertRejects(() => removeHeldFile(path), Deno.errors.PermissionDenied);
      assert(!e.message.includes("another program"), e.message);
      assertStringIncludes(e.message, "os error 5");
    });
    assertEquals(tries, 1, "no retries: waiting does not grant the permission");
  } finally {
    Deno.openSync = openSync;
  }
});

Deno.test("prune (Windows logic): a cached file refused with access denied (mapped) is kept, and the next-oldest goes", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    await whileDenied(paths.a!, Infinity, async () => {
      const r = await cache.prune({ maxBytes: 20 });
      assertEquals(r.removed.map((e) => e.uri), ["s3://b/b.txt"]);
      assertEquals(r.kept?.map((e) => e.uri), ["s3://b/a.txt"]);
    });
    assertEquals(await Deno.readTextFile(paths.a!), "a".repeat(10));
  });
});

Deno.test("mirror store → local --delete (Windows logic): a file refused with access denied for a moment is deleted", async () => {
  const { report, left } = await mirrorDeleteRefused(2, accessDenied);
  assertEquals(report.failed, []);
  assertEquals(report.deleted, 1);
  assertEquals(left, { a: "a" });
});

Deno.test("renameOver (Windows logic): access denied over a file this user may not write is that error, at once", async () => {
  await using dir = await tempDir();
  const to = join(dir.dir, "theirs.csv");
  const from = join(dir.dir, "new.csv");
  await Deno.writeTextFile(to, "old");
  await Deno.writeTextFile(from, "new");
  const { openSync, renameSync } = Deno;
  let renames = 0;
  Deno.renameSync = () => {
    renames++;
    throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
  };
  // Another user's file (an ACL that denies this user): opening it to write is denied too.
  Deno.openSync = (p, options) => {
    if (String(p) === to && options?.write === true) {
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    }
    return openSync(p, options);
  };
  try {
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const e = await assertRejects(() => renameOver(from, to), Deno.errors.PermissionDenied);
      assert(!e.message.includes("another program"), e.message);
    });
  } finally {
    Object.assign(Deno, { openSync, renameSync });
  }
  assertEquals(renames, 1, "no retries: waiting does not grant the permission");
});

Deno.test("renameOver (Windows logic): access denied over a file this user may write is still a hold, waited out", async () => {
  await using dir = await tempDir();
  const to = join(dir.dir, "mapped.npy");
  const from = join(dir.dir, "new.npy");
  await Deno.writeTextFile(to, "old");
  await Deno.writeTextFile(from, "new");
  const { renameSync } = Deno;
  let refusals = 2;
  Deno.renameSync = (a, b) => {
    if (refusals-- > 0) throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    renameSync(a, b);
  };
  try {
    await withFsPlatform({ mandatoryLocks: true }, () => renameOver(from, to));
  } finally {
    Deno.renameSync = renameSync;
  }
  assertEquals(await Deno.readTextFile(to), "new");
});
