// Removing a cached file another program holds open (Excel, a Python
// `open()`, a viewer: opened without delete sharing), where Windows refuses
// the delete with a sharing violation ("being used by another process (os
// error 32)"). Before, one such file failed a whole `prune` at its turn (the
// least recently used first, so at every run, the rest of the cache left as
// big as it was), and `delete` said only the system's words. The Windows
// strategy's LOGIC, run on Linux by switching `fsPlatform.mandatoryLocks` and
// making `Deno.remove` fail as Windows does for that one file; it does not
// prove Windows' own delete semantics.
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { cacheThree, withS3Cache } from "./cache_s3_helpers.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

/**
 * Runs `fn` as on Windows with `held` open in another program: removing it
 * fails with a sharing violation (Rust gives it no error kind of its own, so
 * Deno throws a plain `Error` whose message carries the code). Returns how
 * often its removal was tried.
 */
async function whileHeldOpen(held: string, fn: () => Promise<void>): Promise<number> {
  const { remove, removeSync } = Deno;
  let tries = 0;
  const refuse = (path: string | URL) => {
    tries++;
    return new Error(
      "The process cannot access the file because it is being used by another process. " +
        `(os error 32): remove '${String(path)}'`,
    );
  };
  Deno.remove = (path, options) =>
    String(path) === held ? Promise.reject(refuse(path)) : remove(path, options);
  Deno.removeSync = (path, options) => {
    if (String(path) === held) throw refuse(path);
    removeSync(path, options);
  };
  try {
    await withFsPlatform({ mandatoryLocks: true }, fn);
  } finally {
    Object.assign(Deno, { remove, removeSync });
  }
  return tries;
}

Deno.test("prune (Windows logic): a file another program holds open is kept, and the next-oldest goes", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    await whileHeldOpen(paths.a!, async () => {
      const r = await cache.prune({ maxBytes: 20 });
      assertEquals(r.removed.map((e) => e.uri), ["s3://b/b.txt"]);
      assertEquals(r.kept?.map((e) => e.uri), ["s3://b/a.txt"]);
      assertEquals(r.remainingBytes, undefined);
    });
    // Still listed and served: nothing of it was removed.
    assertEquals((await cache.ls()).map((e) => e.uri), ["s3://b/a.txt", "s3://b/c.txt"]);
    assertEquals(await Deno.readTextFile(paths.a!), "a".repeat(10));
    // Once closed, the next prune takes it.
    const again = await cache.prune({ maxBytes: 0 });
    assertEquals(again.removed.map((e) => e.uri).sort(), ["s3://b/a.txt", "s3://b/c.txt"]);
    assertEquals(again.kept, undefined);
  });
});

Deno.test("delete (Windows logic): a file held open for a moment is removed once it is closed", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    const { remove } = Deno;
    let refusals = 2;
    Deno.remove = (path, options) =>
      String(path) === paths.a! && refusals-- > 0
        ? Promise.reject(new Error("being used by another process. (os error 32)"))
        : remove(path, options);
    try {
      await withFsPlatform({ mandatoryLocks: true }, async () => {
        assert(await cache.delete("s3://b/a.txt"));
      });
    } finally {
      Deno.remove = remove;
    }
    assertEquals(refusals, -1, "two refusals, then the removal");
    assertEquals((await cache.ls()).map((e) => e.uri), ["s3://b/b.txt", "s3://b/c.txt"]);
  });
});

Deno.test("delete (Windows logic): a file held open for good is named, and the entry stays", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths = await cacheThree(s3, cache);
    const tries = await whileHeldOpen(paths.a!, async () => {
      const e = await assertRejects(() => cache.delete("s3://b/a.txt"), Error);
      assertStringIncludes(e.message, paths.a!);
      assertStringIncludes(e.message, "another program has it open");
    });
    assert(tries > 1, `retried before giving up (${tries} tries)`);
    assertEquals((await cache.ls()).map((e) => e.uri), [
      "s3://b/a.txt",
      "s3://b/b.txt",
      "s3://b/c.txt",
    ]);
  });
});

Deno.test("prune (Windows logic): debris another program holds open is left for the next sweep", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const cache = make();
    await cacheThree(s3, cache);
    // A lock file of a download long gone: debris every prune sweeps.
    const debris = `${dir}/.locks/gone.lock`;
    await Deno.mkdir(`${dir}/.locks`, { recursive: true });
    await Deno.writeTextFile(debris, "");
    const old = new Date(Date.UTC(2020, 0, 1));
    await Deno.utime(debris, old, old);
    await whileHeldOpen(debris, async () => {
      const r = await cache.prune({ maxBytes: 20 });
      assertEquals(r.removed.map((e) => e.uri), ["s3://b/a.txt"]);
    });
    assert((await Deno.lstat(debris)).isFile, "kept while open");
    await cache.prune({ maxBytes: 20 });
    await assertRejects(() => Deno.lstat(debris), Deno.errors.NotFound);
  });
});

Deno.test("vc cache rm (Windows logic): a file held open for good is named as such, not as an internal error", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/x.csv", "x");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assertEquals(get.code, 0, get.stderr);
  const path = get.stdout.trim();
  await whileHeldOpen(path, async () => {
    const rm = await ws.run(["cache", "rm", `${ws.bucket}/d/x.csv`]);
    assertFailure(rm, 1, "another program has it open", path);
    assert(!rm.stderr.includes("internal error"), rm.stderr);
  });
});
