/**
 * A DEST that baiji-pod's `sync` filled (it copied every pinned file, with
 * no record, and overwrote whatever was there) is taken over by `vc sync`
 * after pins moved on: a file there that holds the bytes of another version
 * of the same path in the bucket is a copy an earlier sync made, not the
 * user's work, and is replaced. It used to fail every entry whose pin had
 * moved since baiji-pod's last sync ("was not written by vc sync"), sending
 * a migrating team to `--force`, which also overwrites real edits.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

interface SyncJson {
  copied: Array<{ path: string }>;
  unchanged: Array<{ path: string }>;
  failed: Array<{ path: string; error: string; errorName: string }>;
}

Deno.test("vc sync replaces a DEST file baiji-pod's sync left at an older version of its path", async () => {
  await using ws = await CliWorkspace.create();
  for (const [name, text] of [["a1", "a one\n"], ["a2", "a two\n"], ["a3", "a three\n"]]) {
    await ws.write(`${name}.csv`, text!);
  }
  await ws.write("c.csv", "c one\n");
  await ws.write("model", "model one\n");
  await ws.write("model2", "model two\n");
  assertEquals((await ws.vc("add", "/d/a.csv", "a1.csv")).code, 0);
  assertEquals((await ws.vc("update", "/d/a.csv", "a2.csv", "--patch")).code, 0);
  assertEquals((await ws.vc("add", "/d/c.csv", "c.csv")).code, 0);
  assertEquals((await ws.vc("add", "/cfg/.bashrc", "model")).code, 0);
  // baiji-pod's sync at 1.0.0 of /d/a.csv and /cfg/.bashrc: no record of either.
  await ws.write("out/d/a.csv", "a one\n");
  await ws.write("out/cfg/.bashrc", "model one\n");
  // A file of the user's own, and one holding another path's version.
  await ws.write("out/d/c.csv", "a two\n");
  assertEquals((await ws.vc("update", "/d/a.csv", "a3.csv", "--minor")).code, 0);
  assertEquals((await ws.vc("update", "/cfg/.bashrc", "model2", "--major")).code, 0);

  const r = await ws.vc("sync", "out", "--json");
  const report = r.json<SyncJson>();
  assertEquals(report.copied.map((c) => c.path).sort(), ["/cfg/.bashrc", "/d/a.csv"]);
  assertEquals(await ws.read("out/d/a.csv"), "a three\n");
  assertEquals(await ws.read("out/cfg/.bashrc"), "model two\n");
  // Bytes of /d/a.csv's 1.0.1 are no version of /d/c.csv: the user's, kept.
  assertEquals(report.failed.map((f) => [f.path, f.errorName]), [
    ["/d/c.csv", "PreconditionFailedError"],
  ]);
  assertStringIncludes(report.failed[0]!.error, "not written by vc sync");
  assertEquals(await ws.read("out/d/c.csv"), "a two\n");
  assertEquals(r.code, 1);
});

Deno.test("vc sync still refuses a DEST file of other bytes of the same size as an older version", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a1.csv", "a one\n");
  await ws.write("a2.csv", "a two\n");
  assertEquals((await ws.vc("add", "/a.csv", "a1.csv")).code, 0);
  assertEquals((await ws.vc("update", "/a.csv", "a2.csv", "--patch")).code, 0);
  await ws.write("out/a.csv", "a 0ne\n"); // an edit of 1.0.0, same size
  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "not written by vc sync");
  assertEquals(await ws.read("out/a.csv"), "a 0ne\n");
  assert(!r.stdout.includes("/a.csv"), r.stdout);
});

Deno.test("vc sync replaces its copy that baiji-pod's sync overwrote with another version", async () => {
  // A team running both tools into one DEST: baiji-pod's sync, from an
  // older checkout, wrote 1.0.0 over the 1.0.1 vc had copied there.
  await using ws = await CliWorkspace.create();
  await ws.write("a1.csv", "a one, longer\n");
  await ws.write("a2.csv", "a two\n");
  assertEquals((await ws.vc("add", "/a.csv", "a1.csv")).code, 0);
  assertEquals((await ws.vc("update", "/a.csv", "a2.csv", "--patch")).code, 0);
  assertEquals((await ws.vc("sync", "out")).code, 0);
  await ws.write("out/a.csv", "a one, longer\n");
  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(await ws.read("out/a.csv"), "a two\n");
  // An edit of the user's is still kept.
  await ws.write("out/a.csv", "a two, edited\n");
  const edited = await ws.vc("sync", "out");
  assertEquals(edited.code, 1, edited.stderr);
  assertStringIncludes(edited.stderr, "changed since vc sync wrote it");
  assertEquals(await ws.read("out/a.csv"), "a two, edited\n");
});
