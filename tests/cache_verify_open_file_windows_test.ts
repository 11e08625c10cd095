// `vc cache verify` with a cached file another program holds open on
// Windows. Opened without read sharing (a program's exclusive open, a
// locked region), reading it fails with a sharing violation (os error 32 /
// 33): that was thrown out of verify, failing the whole run at that entry
// with the system's words and leaving every other copy unchecked. Opened
// without delete sharing (Python's `open()`, Excel), a corrupt copy could
// not be removed: the same. Now such a copy is reported as not checked (or
// corrupt, not removed), saying another program has it open, and verify
// goes on. The Windows strategy's LOGIC, run on Linux by switching
// `fsPlatform.mandatoryLocks` and making `Deno.open` / `Deno.remove` fail
// for that one file as Windows does.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";

const SHARING_VIOLATION = (path: string) =>
  new Error(
    "The process cannot access the file because it is being used by another process. " +
      `(os error 32): open '${path}'`,
  );

/** Runs `fn` as on Windows with `held` open in another program that shares neither read nor delete. */
async function whileHeldExclusively<T>(held: string, fn: () => Promise<T>): Promise<T> {
  const { open, remove } = Deno;
  Deno.open = (path, options) =>
    String(path) === held ? Promise.reject(SHARING_VIOLATION(held)) : open(path, options);
  Deno.remove = (path, options) =>
    String(path) === held ? Promise.reject(SHARING_VIOLATION(held)) : remove(path, options);
  try {
    return await withFsPlatform({ mandatoryLocks: true }, fn);
  } finally {
    Object.assign(Deno, { open, remove });
  }
}

Deno.test("cache verify (Windows logic): a copy another program holds open is named as not checked; the rest are checked", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths: Record<string, string> = {};
    for (const k of ["a", "b", "c"]) {
      await s3.putObject("b", `${k}.txt`, k.repeat(10));
      paths[k] = await cache.cache(`s3://b/${k}.txt`);
    }
    const r = await whileHeldExclusively(paths.b!, () => cache.verify());
    assertEquals(r.ok, 2);
    assertEquals(r.corrupt, []);
    assertEquals(r.unreadable?.map((u) => u.uri), ["s3://b/b.txt"]);
    assertStringIncludes(r.unreadable![0]!.problem, "another program has it open");
    assertEquals(await Deno.readTextFile(paths.b!), "b".repeat(10), "kept");
  });
});

Deno.test("cache verify (Windows logic): a corrupt copy another program holds open is reported, not removed; the run goes on", async () => {
  await withS3Cache(async (s3, make) => {
    const cache = make();
    const paths: Record<string, string> = {};
    for (const k of ["a", "b", "c"]) {
      await s3.putObject("b", `${k}.txt`, k.repeat(10));
      paths[k] = await cache.cache(`s3://b/${k}.txt`);
    }
    await Deno.writeTextFile(paths.a!, "X".repeat(10));
    // Readable (shared for reading) but not removable: Python's open(), Excel.
    const { remove } = Deno;
    Deno.remove = (path, options) =>
      String(path) === paths.a!
        ? Promise.reject(SHARING_VIOLATION(paths.a!))
        : remove(path, options);
    let r;
    try {
      r = await withFsPlatform({ mandatoryLocks: true }, () => cache.verify());
    } finally {
      Deno.remove = remove;
    }
    assertEquals(r.ok, 2);
    assertEquals(r.corrupt.map((c) => c.uri), ["s3://b/a.txt"]);
    assertStringIncludes(r.corrupt[0]!.notRemoved ?? "", "another program has it open");
    assertEquals(r.notWritable, undefined, "the cache dir is writable: one file was held");
  });
});

Deno.test("vc cache verify (Windows logic): a corrupt copy held open says why it was not removed", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/x.csv", "x");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assertEquals(get.code, 0, get.stderr);
  const path = get.stdout.trim();
  await Deno.writeTextFile(path, "X");
  const { remove } = Deno;
  Deno.remove = (p, options) =>
    String(p) === path ? Promise.reject(SHARING_VIOLATION(path)) : remove(p, options);
  try {
    const r = await withFsPlatform({ mandatoryLocks: true }, () => ws.run(["cache", "verify"]));
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stdout, "corrupt (not removed)");
    assertStringIncludes(r.stdout, "not removed: cannot remove");
    assertStringIncludes(r.stdout, "another program has it open");
  } finally {
    Deno.remove = remove;
  }
});

Deno.test("vc cache verify (Windows logic): a held-open copy is said as such, exit 1, no internal error", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/x.csv", "x");
  await ws.write("bucket/d/y.csv", "y");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assertEquals(get.code, 0, get.stderr);
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`])).code, 0);
  const path = get.stdout.trim();
  await whileHeldExclusively(path, async () => {
    const r = await ws.run(["cache", "verify"]);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stdout, "1 ok, 0 corrupt, 1 not checked");
    assertStringIncludes(r.stdout, "another program has it open");
    assert(!r.stderr.includes("internal error"), r.stderr);
  });
});
