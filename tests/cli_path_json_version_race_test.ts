/**
 * `vc path --json` and `vc get PATH DEST --json` name the version they read.
 * They read the manifest a second time for it, after the download and copy:
 * a `vc update` in another process in between made `version` name a version
 * other than the bytes served. The version now comes from the one
 * resolution that chose the object downloaded.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/**
 * A workspace whose manifest pins `/f.csv` at 1.1.0 (1.0.0 published
 * before), nothing cached; while a run opens the bucket's 1.1.0 to download
 * it, "another process" pins 1.0.0 in the manifest.
 */
async function racedWorkspace(): Promise<CliWorkspace> {
  const ws = await CliWorkspace.create();
  try {
    await ws.write("f.csv", "a\n");
    await ws.write("g.csv", "b\n");
    assertEquals((await ws.vc("add", "/f.csv", "f.csv")).code, 0);
    assertEquals((await ws.vc("update", "/f.csv", "g.csv", "--minor")).code, 0);
    return ws;
  } catch (error) {
    await ws[Symbol.asyncDispose]();
    throw error;
  }
}

/** Runs `fn` with the manifest repinned to 1.0.0 when the bucket's 1.1.0 is opened. */
async function repinnedWhileDownloading<T>(ws: CliWorkspace, fn: () => Promise<T>): Promise<T> {
  const open = Deno.open;
  const manifest = ws.path("versioned_assets.json");
  let repinned = false;
  (Deno as { open: typeof Deno.open }).open = (p, o) => {
    if (!repinned && String(p) === `${ws.bucketDir}/f.1.1.0.csv`) {
      repinned = true;
      Deno.writeTextFileSync(manifest, '{\n  "/f.csv": "1.0.0"\n}\n');
    }
    return open(p, o);
  };
  try {
    return await fn();
  } finally {
    (Deno as { open: typeof Deno.open }).open = open;
    assertEquals(repinned, true, "the download opened the bucket's 1.1.0");
  }
}

Deno.test("vc path --json: the version is the one downloaded, not the manifest's after it", async () => {
  await using ws = await racedWorkspace();
  const r = await repinnedWhileDownloading(ws, () => ws.vc("path", "/f.csv", "--json"));
  assertEquals(r.code, 0, r.stderr);
  const local = `${ws.cacheDir}/file${ws.bucketDir}/f.1.1.0.csv`;
  assertEquals(r.json(), { path: "/f.csv", version: "1.1.0", local });
  assertEquals(await Deno.readTextFile(local), "b\n");
});

Deno.test("vc get --json: the version is the one copied, not the manifest's after it", async () => {
  await using ws = await racedWorkspace();
  const r = await repinnedWhileDownloading(ws, () => ws.vc("get", "/f.csv", "out.csv", "--json"));
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json(), { path: "/f.csv", version: "1.1.0", dest: ws.path("out.csv") });
  assertEquals(await ws.read("out.csv"), "b\n");
});
