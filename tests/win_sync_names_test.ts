/**
 * `vc sync DEST` and a store → local `vc mirror` on Windows: a manifest path
 * or key whose segment is no Windows file name (`a:b.csv` writes an
 * alternate data stream of `a`, `con` is the console, `dir.` is `dir`) is
 * refused by one check (`src/file_names.ts`). Run on Linux by switching
 * `fsPlatform.windowsNames` (`withFsPlatform`): this proves vc's logic for
 * Windows, not Windows' own name rules. Off Windows such names stay legal.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";
import { syncedContents } from "./versioned_helpers.ts";

const BAD = ["/data/a:b.csv", "/con/x.csv", "/dir./y.csv"];

/** A workspace on a fake S3 bucket whose manifest pins `/ok.csv` and every path of {@linkcode BAD}. */
async function pinned(
  fn: (ws: CliWorkspace, env: Record<string, string>, s3: { GetObject: () => number }) => Promise<
    void
  >,
): Promise<void> {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await withProcessEnv(s3.env, async () => {
    const env = { ...s3.env, VC_BUCKET: "s3://assets/team" };
    await ws.write("f.csv", "f\n");
    for (const path of ["/ok.csv", ...BAD]) {
      const add = await ws.run(["add", path, "f.csv"], env);
      assertEquals(add.code, 0, add.stderr);
    }
    s3.resetStats();
    await fn(ws, env, { GetObject: () => s3.stats.GetObject });
  });
}

Deno.test("sync (Windows logic): manifest paths Windows cannot hold are named, and nothing is written", async () => {
  await pinned(async (ws, env, s3) => {
    await withFsPlatform({ windowsNames: true }, async () => {
      const r = await ws.run(["sync", "out"], env);
      assertFailure(
        r,
        1,
        `sync to ${ws.path("out")} copied nothing`,
        'manifest path "/data/a:b.csv" cannot be a file here: its segment "a:b.csv" holds a character Windows file names cannot',
        'manifest path "/con/x.csv" cannot be a file here: its segment "con" is a device name on Windows',
        'manifest path "/dir./y.csv" cannot be a file here: its segment "dir." ends with a dot or a space',
      );
      assert(!r.stderr.includes('"/ok.csv"'), r.stderr);
      // Before anything: no download, no DEST.
      assertEquals(s3.GetObject(), 0);
      assertEquals(await Deno.lstat(ws.path("out")).catch(() => undefined), undefined);
      const json = await ws.run(["sync", "out", "--json"], env);
      assertEquals(json.code, 1);
      assertStringIncludes(json.stderr, '"/con/x.csv"');
    });
  });
});

Deno.test({
  name: "sync (POSIX logic): such manifest paths are written as they are",
  ignore: Deno.build.os === "windows", // they are no file names there
  fn: async () => {
    await pinned(async (ws, env) => {
      await withFsPlatform({ windowsNames: false }, async () => {
        const r = await ws.run(["sync", "out"], env);
        assertEquals(r.code, 0, r.stderr);
        assertEquals(await syncedContents(ws.path("out")), {
          "con/x.csv": "f\n",
          "data/a:b.csv": "f\n",
          "dir./y.csv": "f\n",
          "ok.csv": "f\n",
        });
      });
    });
  },
});

// What the mirror's failure line says to do about a key that cannot be a local name.
const WHAT_TO_DO = "rename the object in the store, or leave it out with --exclude";

Deno.test("mirror (store → local, Windows logic): a key Windows cannot hold is reported by the same check, the rest written", async () => {
  await withFsPlatform({ windowsNames: true }, async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    const enc = new TextEncoder();
    await b.store.put("p/data/a:b.csv", enc.encode("x"));
    await b.store.put("p/con/x.csv", enc.encode("x"));
    await b.store.put("p/ok.csv", enc.encode("ok"));
    const opts = prefixToLocal(b.store, w.dir);
    const r = await mirror(opts);
    assertEquals(r.transferred, 1);
    assertEquals(
      r.failed.map((f) => [f.key, f.error]),
      [
        [
          "con/x.csv",
          `not written: key's segment "con" is a device name on Windows; ${WHAT_TO_DO}`,
        ],
        [
          "data/a:b.csv",
          `not written: key's segment "a:b.csv" holds a character Windows file names cannot (<>:"|?* or a control character); ${WHAT_TO_DO}`,
        ],
      ],
    );
    assertEquals(await treeContents(opts.target), { "ok.csv": "ok" });
  });
});
