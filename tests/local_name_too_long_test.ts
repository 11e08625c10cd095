/**
 * A file name longer than 255 bytes (the longest any local file system
 * takes) is refused before anything is downloaded or written, naming it, by
 * every command that turns a name into a local file, as a store → local
 * `vc mirror` refuses such a key: `vc sync` (a manifest path), `vc get PATH
 * DIR/` (the asset's file name) and `vc repo get ID --to DIR` (the record's
 * name). They downloaded the object first and failed at the copy's rename
 * with the system's `File name too long (os error 36)`, leaving the
 * directories made for it behind. S3 keys and logical paths may hold such
 * segments; a DEST given as a file still works.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

const LONG = "y".repeat(300);
const PATH = `/d/${LONG}.csv`;

Deno.test("sync and get refuse a manifest path whose file name is too long, before the download", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await withProcessEnv(s3.env, async () => {
    const env = { ...s3.env, VC_BUCKET: "s3://assets/team" };
    await ws.write("f.csv", "f\n");
    for (const path of ["/ok.csv", PATH]) {
      const add = await ws.run(["add", path, "f.csv"], env);
      assertEquals(add.code, 0, add.stderr);
    }
    s3.resetStats();
    const sync = await ws.run(["sync", "out"], env);
    assertFailure(
      sync,
      1,
      `sync to ${ws.path("out")} copied nothing`,
      "is longer than 255 bytes, the longest file name",
    );
    const get = await ws.run(["get", PATH, "dir/"], env);
    assertFailure(get, 1, `cannot write ${PATH} into ${ws.path("dir")}`, "longer than 255 bytes");
    assertEquals(s3.stats.GetObject, 0);
    for (const dir of ["out", "dir"]) {
      assertEquals(await Deno.lstat(ws.path(dir)).catch(() => undefined), undefined, dir);
    }
    // Given as a file, DEST names the file: the long name is not used.
    assertEquals((await ws.run(["get", PATH, "short.csv"], env)).code, 0);
    assertEquals(await ws.read("short.csv"), "f\n");
  });
});

Deno.test("vc repo get --to DIR refuses a record name too long for a file", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: ws.bucket };
  await ws.write("in.csv", "a\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const id = (await ws.run(["repo", "add", PATH, "in.csv"], env)).stdout.trim();
  await Deno.mkdir(ws.path("out"));
  const r = await ws.run(["repo", "get", id, "--to", "out"], env);
  assertFailure(r, 1, `cannot write record ${id}`, "longer than 255 bytes", "--to FILE");
  assertEquals([...Deno.readDirSync(ws.path("out"))], []);
  assertEquals((await ws.run(["repo", "get", id, "--to", "out/a.csv"], env)).code, 0);
  assertEquals(await ws.read("out/a.csv"), "a\n");
});
