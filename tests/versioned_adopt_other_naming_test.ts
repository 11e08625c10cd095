/**
 * A team moving a bucket to vc has many paths whose versions another tool
 * named (`dd/table-1.0.0.csv`, `dd/v1.3.0/table.csv`, a release tree
 * `v1.4.0/dd/table.csv`): vc named them one path at a time with one
 * `aws s3 cp` to type per version, and had no bulk way to adopt them.
 * `vc adopt` (`VersionedCache.adopt`) now copies each to vc's key in the
 * bucket, for the paths given or every path of the manifest, never over a
 * key vc reads, leaving a version held with different bytes for the user
 * to settle; and the "in another tool's naming" message names it.
 */
import { join } from "node:path";
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("adopt copies every key in another naming to vc's key, lowest version first", async () => {
  await using store = new MemoryStore();
  const keys = {
    "dd/table-1.0.0.csv": "a",
    "dd/table_v1.1.0.csv": "b",
    "dd/table.csv.1.2.0": "c",
    "dd/v1.3.0/table.csv": "d",
    "v1.4.0/dd/table.csv": "e",
    "dd/table.1.5.0.csv": "f", // vc's own: not touched
    "dd/other-1.0.0.csv": "g", // another path's
  };
  for (const [key, body] of Object.entries(keys)) await store.put(key, text(body));
  const dry = await adoptOtherNamings(store, "/dd/table.csv", { dryRun: true });
  assertEquals(dry.map((v) => v.status), ["planned", "planned", "planned", "planned", "planned"]);
  assertEquals(await store.head("dd/table.1.0.0.csv"), undefined);
  const done = await adoptOtherNamings(store, "/dd/table.csv");
  assertEquals(done.map((v) => [v.key, v.vcKey, v.status]), [
    ["dd/table-1.0.0.csv", "dd/table.1.0.0.csv", "copied"],
    ["dd/table_v1.1.0.csv", "dd/table.1.1.0.csv", "copied"],
    ["dd/table.csv.1.2.0", "dd/table.1.2.0.csv", "copied"],
    ["dd/v1.3.0/table.csv", "dd/table.1.3.0.csv", "copied"],
    ["v1.4.0/dd/table.csv", "dd/table.1.4.0.csv", "copied"],
  ]);
  const { body } = await store.get("dd/table.1.4.0.csv");
  assertEquals(await new Response(body).text(), "e");
  // Again: nothing to do.
  const again = await adoptOtherNamings(store, "/dd/table.csv");
  assertEquals(new Set(again.map((v) => v.status)), new Set(["present"]));
});

Deno.test("adopt leaves a version held with other bytes for the user to settle", async () => {
  await using store = new MemoryStore();
  await store.put("d/t-1.0.0.csv", text("old tool"));
  await store.put("d/t.1.0.0.csv", text("vc's")); // vc reads this one: never replaced
  await store.put("d/t-2.0.0.csv", text("one"));
  await store.put("d/v2.0.0/t.csv", text("two"));
  await store.put("d/t-3.0.0.csv", text("same"));
  await store.put("d/v3.0.0/t.csv", text("same"));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => [v.version, v.status]), [
    ["1.0.0", "conflict"],
    ["2.0.0", "conflict"],
    ["2.0.0", "conflict"],
    ["3.0.0", "copied"],
  ]);
  assertStringIncludes(done[0]!.problem!, "d/t.1.0.0.csv already holds other bytes");
  assertStringIncludes(done[1]!.problem!, "2 keys look like 2.0.0 with different bytes");
  const { body } = await store.get("d/t.1.0.0.csv");
  assertEquals(await new Response(body).text(), "vc's");
  assertEquals(await store.head("d/t.2.0.0.csv"), undefined);
  // Settled by hand (one of them copied): present.
  await store.copy("d/v2.0.0/t.csv", "d/t.2.0.0.csv");
  const after = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(after.find((v) => v.version === "2.0.0")?.status, "present");
});

Deno.test("vc adopt copies the manifest's versions kept in another naming; vc sync then reads them", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    const bucket = join(dir, "bucket");
    await writeFile(bucket, "v1.2.0/sub/dir/t.csv", "t 1.2.0\n");
    await writeFile(bucket, "data/table-2.0.0.csv", "table 2.0.0\n");
    await writeFile(
      dir,
      "versioned_assets.json",
      '{\n    "/data/table.csv": "2.0.0",\n    "/sub/dir/t.csv": "1.2.0"\n}\n',
    );
    // The message of a missing version names the command.
    const hint = ok(await inProcess(["versions", "/data/table.csv"]), "versions");
    assertStringIncludes(hint.stderr, "`vc adopt /data/table.csv` copies them all");
    const dry = ok(await inProcess(["adopt", "--dry-run"]), "adopt --dry-run");
    assertStringIncludes(dry.stdout, "would adopt");
    assertStringIncludes(dry.stdout, "v1.2.0/sub/dir/t.csv -> sub/dir/t.1.2.0.csv");
    assertStringIncludes(dry.stderr, "would adopt 2 versions of 2 paths");
    const copied = await Deno.stat(join(bucket, "sub/dir/t.1.2.0.csv")).then(
      () => true,
      () => false,
    );
    assert(!copied, "a dry run copied");
    const run = ok(await inProcess(["adopt", "--json"]), "adopt");
    assertEquals(JSON.parse(run.stdout), [
      {
        path: "/data/table.csv",
        versions: [{
          key: "data/table-2.0.0.csv",
          version: "2.0.0",
          vcKey: "data/table.2.0.0.csv",
          status: "copied",
        }],
      },
      {
        path: "/sub/dir/t.csv",
        versions: [{
          key: "v1.2.0/sub/dir/t.csv",
          version: "1.2.0",
          vcKey: "sub/dir/t.1.2.0.csv",
          status: "copied",
        }],
      },
    ]);
    ok(await inProcess(["sync", "out"]), "sync");
    assertEquals(await Deno.readTextFile(join(dir, "out/sub/dir/t.csv")), "t 1.2.0\n");
    // A conflict: exit 1, named on stderr.
    await writeFile(bucket, "data/v3.0.0/table.csv", "x\n");
    await writeFile(bucket, "data/table-3.0.0.csv", "y\n");
    const bad = await inProcess(["adopt", "/data/table.csv"]);
    assertEquals(bad.code, 1, bad.stderr);
    assertStringIncludes(
      bad.stderr,
      "vc: conflict: /data/table.csv 3.0.0: 2 keys look like 3.0.0 with different bytes",
    );
    assertStringIncludes(bad.stdout, "already adopted");
  });
});

Deno.test("adopt reads the bucket once for every path, reporting each key listed and each path adopted", async () => {
  await using ws = await workspace();
  for (const key of ["a/t-1.0.0.csv", "b/u_v1.0.0.csv", "notes.txt"]) {
    await writeFile(ws.bucket, key, "x\n");
  }
  const seen: number[] = [];
  const adopted: string[] = [];
  const done = await ws.vc.adopt(["/b/u.csv", "/a/t.csv"], {
    dryRun: true,
    onProgress: (p) =>
      p.adopted === undefined ? seen.push(p.listed) : adopted.push(`${p.adopted}/${p.paths}`),
  });
  assertEquals(done.map((d) => [d.path, d.versions.map((v) => v.status)]), [
    ["/a/t.csv", ["planned"]],
    ["/b/u.csv", ["planned"]],
  ]);
  assertEquals(seen, [0, 1, 2, 3]);
  // Then the paths adopted, of all of them: minutes of requests for thousands.
  assertEquals(adopted, ["1/2", "2/2"]);
});
