/**
 * Names a case-insensitive file system takes for one file although they
 * differ in more than ASCII case or Unicode form: `s` and the long s `ſ`,
 * `σ` and the final sigma `ς`, `μ` and the micro sign `µ` (NTFS compares
 * names by their upper case, APFS by Unicode case folding, and both put
 * these together), `ss` and `ß` (APFS's full case folding). Where they fold
 * together, a store → local `vc mirror` or `vc sync` must report the second
 * one, never write both names into one file in turns. Run on Linux by
 * switching `fsPlatform.caseInsensitive` (a mirror: `withCaseInsensitiveFs`,
 * see `tests/mirror_download_case_test.ts`).
 *
 * And `vc get PATH DIR`: the asset's file name (`nul.csv`, `a:b.csv`, keys
 * S3 takes) is no file on Windows, so there it is refused, named, as
 * `vc sync` and `vc repo get --to DIR` refuse it, never "copied" to a device
 * or an alternate data stream.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { foldName, pathClashes } from "../src/file_names.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";

// Pairs that name one file on NTFS (same upper case) or on APFS (same case folding).
const SAME_FILE: [string, string][] = [
  ["s.csv", "\u017f.csv"], // long s: upper case S
  ["\u03c3.csv", "\u03c2.csv"], // final sigma: upper case Σ, folds to σ
  ["\u03bc.csv", "\u00b5.csv"], // micro sign: upper case Μ, folds to μ
  ["I.csv", "\u0131.csv"], // dotless i: upper case I
  ["ss.csv", "\u00df.csv"], // sharp s: folds to ss (full folding)
  ["\u1e9e.csv", "\u00df.csv"], // capital sharp s: folds to ss, as ß
  ["ff.csv", "\ufb00.csv"], // ligature ff: upper case FF, folds to ff
  ["Data/A.csv", "data/a.csv"],
  ["caf\u00e9", "cafe\u0301"],
];

Deno.test("foldName: names one case-insensitive file system takes for one file fold together", () => {
  for (const [a, b] of SAME_FILE) {
    assertEquals(foldName(a), foldName(b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  // Names that stay apart everywhere still do.
  assertEquals(foldName("a.csv") === foldName("b.csv"), false);
  assertEquals(foldName("\u03c3") === foldName("s"), false);
});

Deno.test("pathClashes (case-insensitive): long s, final sigma and micro sign clash with their twins", () => {
  for (const [a, b] of SAME_FILE) {
    const clashes = pathClashes([`/d/${a}`, `/d/${b}`], true);
    assertEquals(clashes.size, 1, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assertEquals(pathClashes([`/d/${a}`, `/d/${b}`], false).size, 0);
  }
});

Deno.test("mirror (store → local, case-insensitive): a key with a long s or a final sigma never shares a file with its twin", async () => {
  await withCaseInsensitiveFs(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    const enc = new TextEncoder();
    await b.store.put("p/s.csv", enc.encode("s"));
    await b.store.put("p/\u017f.csv", enc.encode("long s"));
    await b.store.put("p/\u03c3.csv", enc.encode("sigma"));
    await b.store.put("p/\u03c2.csv", enc.encode("final sigma"));
    const opts = prefixToLocal(b.store, w.dir, {});
    const r = await mirror(opts);
    // The first in UTF-8 order of each pair is written, the other reported.
    assertEquals(r.transferred, 2);
    assertEquals(r.failed.map((f) => f.key).sort(), ["\u017f.csv", "\u03c3.csv"].sort());
    for (const f of r.failed) assertStringIncludes(f.error, "letter case");
    assertEquals(await treeContents(opts.target), { "s.csv": "s", "\u03c2.csv": "final sigma" });
  });
});

Deno.test("vc get PATH DIR refuses an asset name that is no Windows file name, before downloading", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  const saved = Object.keys(s3.env).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, v] of Object.entries(s3.env)) Deno.env.set(k, v);
  try {
    const env = { ...s3.env, VC_BUCKET: "s3://assets" };
    await ws.write("in.csv", "a\n");
    // S3 takes these keys; only a Windows disk cannot hold them as files.
    for (const path of ["/x/nul.csv", "/x/a:b.csv", "/x/ok.csv"]) {
      const add = await ws.run(["add", path, "in.csv"], env);
      assertEquals(add.code, 0, add.stderr);
    }
    await Deno.mkdir(ws.path("out"));
    await withFsPlatform({ windowsNames: true }, async () => {
      for (const [path, why] of [["/x/nul.csv", "device name"], ["/x/a:b.csv", "character"]]) {
        s3.resetStats();
        const get = await ws.run(["get", path!, "out"], env);
        assertFailure(get, 1, `cannot write ${path}`, why!, "give DEST as a file");
        assertEquals(s3.stats.GetObject, 0);
        const named = await ws.run(["get", path!, "named.csv"], env);
        assertEquals(named.code, 0, named.stderr);
      }
      assertEquals((await ws.run(["get", "/x/ok.csv", "out/"], env)).code, 0);
    });
    assertEquals([...Deno.readDirSync(ws.path("out"))].map((e) => e.name), ["ok.csv"]);
    // Elsewhere these are file names like any other.
    await withFsPlatform({ windowsNames: false }, async () => {
      const get = await ws.run(["get", "/x/nul.csv", "out"], env);
      assertEquals(get.code, 0, get.stderr);
    });
    assertEquals(await ws.read("out/nul.csv"), "a\n");
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});
