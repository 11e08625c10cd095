/**
 * A team migrating a bucket to vc has its versions under another tool's
 * names: `dd/table-1.0.0.csv`, `dd/table_v1.1.0.csv`, `dd/table.csv.1.2.0`,
 * `dd/v1.3.0/table.csv`, or vc's own naming in another letter case. `vc
 * versions`, `vc path` and `vc update` of `/dd/table.csv` said only "has no
 * versions", leaving the user to guess why. On that failure only, one
 * listing of the path's directory now names those keys, the key vc would
 * read each version from, and the copy that adopts one. `vc sync` over such
 * a bucket ignores them.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const FOREIGN = [
  "dd/table-1.0.0.csv",
  "dd/table_v1.1.0.csv",
  "dd/table.csv.1.2.0",
  "dd/v1.3.0/table.csv",
  "dd/TABLE-1.4.0.csv",
];

async function fill(bucket: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await writeFile(bucket, key, `${key}\n`);
}

Deno.test("vc versions of a path held only in another naming names the keys and vc's keys", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    const bucket = join(dir, "bucket");
    await fill(bucket, FOREIGN);
    const run = ok(await inProcess(["versions", "/dd/table.csv"]), "versions");
    assertEquals(run.stdout, "");
    assertStringIncludes(run.stderr, "/dd/table.csv has no versions in");
    for (const key of FOREIGN) assertStringIncludes(run.stderr, key);
    assertStringIncludes(run.stderr, "dd/table.csv.1.2.0 (1.2.0; vc's key dd/table.1.2.0.csv)");
    assertStringIncludes(run.stderr, "dd/v1.3.0/table.csv (1.3.0; vc's key dd/table.1.3.0.csv)");
    // The highest, adopted by one copy in the bucket's directory.
    assertStringIncludes(
      run.stderr,
      `cp ${join(bucket, "dd/TABLE-1.4.0.csv")} ${join(bucket, "dd/table.1.4.0.csv")}`,
    );
    // Said once.
    assertEquals(run.stderr.split("another tool's naming").length, 2, run.stderr);
  });
});

Deno.test("vc versions names a case twin in vc's naming", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    await fill(join(dir, "bucket"), ["dd/Table.1.5.0.csv"]);
    const run = ok(await inProcess(["versions", "/dd/table.csv"]), "versions");
    assertStringIncludes(
      run.stderr,
      "but /dd/Table.csv, which differs from it only in letter case",
    );
  });
});

Deno.test("vc path of a version held only in another naming names vc's key for it", async () => {
  await using ws = await workspace();
  await fill(ws.bucket, FOREIGN);
  const error = await assertRejects(() => ws.vc.path("/dd/table.csv", "1.0.0"), NotFoundError);
  assertStringIncludes(error.message, "has no versions of it");
  assertStringIncludes(error.message, "dd/table-1.0.0.csv (1.0.0; vc's key dd/table.1.0.0.csv)");
  // The copy named is of the version asked for, not the highest.
  assertStringIncludes(
    error.message,
    `cp ${join(ws.bucket, "dd/table-1.0.0.csv")} ${join(ws.bucket, "dd/table.1.0.0.csv")}`,
  );
});

Deno.test("update of a path held only in another naming names the keys, publishes nothing", async () => {
  await using ws = await workspace();
  await fill(ws.bucket, FOREIGN);
  await Deno.writeTextFile(ws.manifest, "{}\n");
  const file = await writeFile(ws.dir, "new.csv", "new\n");
  const error = await assertRejects(
    () => ws.vc.update("/dd/table.csv", file, { patch: true }),
    NotFoundError,
  );
  assertStringIncludes(error.message, "/dd/table.csv has no versions in");
  assertStringIncludes(error.message, "dd/table_v1.1.0.csv (1.1.0; vc's key dd/table.1.1.0.csv)");
  const names: string[] = [];
  for await (const e of Deno.readDir(join(ws.bucket, "dd"))) names.push(e.name);
  assert(!names.some((n) => n.startsWith("table.1.")), names.join());
});

Deno.test("vc sync and vc ls-remote over a bucket with keys in another naming ignore them", async () => {
  await withWorkspace(async (dir, _vc, inProcess) => {
    await fill(join(dir, "bucket"), FOREIGN);
    await writeFile(dir, "t.csv", "mine\n");
    ok(await inProcess(["add", "/dd/table.csv", "t.csv"]), "add");
    const synced = ok(await inProcess(["sync", "out"]), "sync");
    assertStringIncludes(synced.stdout, "/dd/table.csv");
    assertEquals(await Deno.readTextFile(join(dir, "out/dd/table.csv")), "mine\n");
    const listed = ok(await inProcess(["ls-remote"]), "ls-remote");
    assertEquals(listed.stdout.trim().split("\n").length, 1, listed.stdout);
  });
});

Deno.test("add of a path held only in another naming warns once, naming them, and publishes", async () => {
  await using ws = await workspace();
  await fill(ws.bucket, FOREIGN);
  const file = await writeFile(ws.dir, "new.csv", "new\n");
  const warnings: string[] = [];
  const version = await ws.vc.add("/dd/table.csv", file, {
    onWarning: (w) => warnings.push(w.message),
  });
  assertEquals(version, "1.0.0");
  assertEquals(warnings.length, 1, warnings.join("\n"));
  assertStringIncludes(warnings[0]!, "dd/TABLE-1.4.0.csv (1.4.0; vc's key dd/table.1.4.0.csv)");
  assertStringIncludes(warnings[0]!, "1.0.0 is published as its first version");
});

Deno.test("add of a path with nothing near it warns of nothing", async () => {
  await using ws = await workspace();
  await fill(ws.bucket, ["dd/tables-1.0.0.csv", "dd/table.1.0.0.csv.bak", "dd/v1.0.0/other.csv"]);
  const file = await writeFile(ws.dir, "new.csv", "new\n");
  const warnings: string[] = [];
  await ws.vc.add("/dd/table.csv", file, { onWarning: (w) => warnings.push(w.message) });
  assertEquals(warnings, []);
});

Deno.test("a missing version kept in another naming beside adopted ones names its copy", async () => {
  await using ws = await workspace();
  await fill(ws.bucket, ["dd/table.1.2.0.csv", "dd/table_v1.1.0.csv", "dd/table-1.0.0.csv"]);
  const error = await assertRejects(() => ws.vc.path("/dd/table.csv", "1.1.0"), NotFoundError);
  assertStringIncludes(error.message, "available: 1.2.0");
  assertStringIncludes(error.message, "also holds 1 key that looks like versions of it");
  assertStringIncludes(
    error.message,
    `cp ${join(ws.bucket, "dd/table_v1.1.0.csv")} ${join(ws.bucket, "dd/table.1.1.0.csv")}`,
  );
  // Of a version no key looks like, nothing more is said.
  const other = await assertRejects(() => ws.vc.path("/dd/table.csv", "1.3.0"), NotFoundError);
  assert(!other.message.includes("another tool's naming"), other.message);
});
