/**
 * Issue 7 item 4 ("nothing is ever written outside the cache dir, against
 * links at any level") for reads of the record journals and for hard-linked
 * data files: records are never read through a symbolic link (journal,
 * shard, `.meta`, `.meta/<dir>`), a data file with another name is never
 * touched (a miss, replaced by a fresh file of its own), maintenance reports
 * what it cannot read through a link, and a `cp -al` copy of a cache is
 * refused with what to do, which `vc cache verify` does.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { forgetRecords, readEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { writeMeta } from "../src/cache/entry_meta.ts";

interface Setup {
  dataDir: string;
  metaDir: string;
  journal: string;
}

async function setup(ws: CliWorkspace): Promise<Setup> {
  forgetRecords();
  await ws.write("bucket/d/x.csv", "x-data");
  await ws.write("bucket/d/y.csv", "y-data");
  const first = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assert(first.code === 0, first.stderr);
  const dataDir = first.stdout.trim().replace(/\/x\.csv$/, "");
  const metaDir = dataDir.replace(ws.cacheDir, `${ws.cacheDir}/.meta`);
  const journal = `${metaDir}/%records.jsonl`;
  assert((await Deno.lstat(journal)).isFile);
  return { dataDir, metaDir, journal };
}

Deno.test("a symlinked journal shard is not read: refused naming the link, its target untouched", async () => {
  await using ws = await CliWorkspace.create();
  const { journal, metaDir } = await setup(ws);
  // The directory split into one shard, which is a link to a file outside
  // holding a record for x.csv (the cache's own line, moved out).
  const outside = ws.path("outside-shard.jsonl");
  await Deno.rename(journal, outside);
  const before = await Deno.readTextFile(outside);
  await Deno.writeTextFile(journal, "%split\t1\n");
  await Deno.symlink(outside, `${metaDir}/%records-00.jsonl`);
  forgetRecords();
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assertEquals(get.code, 1, `served through the link: ${get.stdout}`);
  assertStringIncludes(get.stderr, `${metaDir}/%records-00.jsonl`);
  assertStringIncludes(get.stderr, "symbolic link");
  assertEquals(await Deno.readTextFile(outside), before);
});

for (const level of [".meta", ".meta/<dir>", "journal"] as const) {
  Deno.test(`records behind a symlinked ${level} are not read: refused naming the link`, async () => {
    await using ws = await CliWorkspace.create();
    const { journal, metaDir } = await setup(ws);
    const inside = level === ".meta"
      ? `${ws.cacheDir}/.meta`
      : level === "journal"
      ? journal
      : metaDir;
    const outside = ws.path("outside-records");
    await Deno.rename(inside, outside);
    await Deno.symlink(outside, inside);
    forgetRecords();
    const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
    assertEquals(get.code, 1, `served through the link: ${get.stdout}`);
    assertStringIncludes(get.stderr, inside);
    assertStringIncludes(get.stderr, "symbolic link");
  });
}

Deno.test("an earlier version's record file that is a symlink is not read: refused naming it", async () => {
  await using ws = await CliWorkspace.create();
  const { dataDir, metaDir } = await setup(ws);
  // y.csv: no journal line, a planted data file, and a record file linked to one outside.
  const outside = ws.path("outside-record.json");
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assert(get.code === 0, get.stderr);
  const line = (await Deno.readTextFile(`${metaDir}/%records.jsonl`)).split("\n")
    .find((l) => l.startsWith("y.csv\t"))!;
  const meta = JSON.parse(line.slice("y.csv\t".length));
  // A record outside, for a planted 7-byte file, fresh.
  writeMeta(outside, { ...meta, etag: "planted", size: 7, validatedAt: Date.now() });
  // Back to a cache of an earlier version for y.csv: its line removed.
  const lines = (await Deno.readTextFile(`${metaDir}/%records.jsonl`)).split("\n")
    .filter((l) => !l.startsWith("y.csv\t")).join("\n");
  await Deno.writeTextFile(`${metaDir}/%records.jsonl`, lines);
  await Deno.writeTextFile(`${dataDir}/y.csv`, "PLANTED");
  await Deno.symlink(outside, `${metaDir}/y.csv%.json`);
  forgetRecords();
  const again = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assertEquals(again.code, 1, `served through the link: ${again.stdout}`);
  assertStringIncludes(again.stderr, `${metaDir}/y.csv%.json`);
  assertStringIncludes(again.stderr, "symbolic link");
});

Deno.test("a hard-linked data file is never touched: a miss, replaced by a file of the cache's own", async () => {
  await using ws = await CliWorkspace.create();
  const { dataDir } = await setup(ws);
  const outside = await ws.write("outside-x.csv", "x-data");
  const old = new Date("2001-01-01T00:00:00Z");
  await Deno.utime(outside, old, old);
  await Deno.remove(`${dataDir}/x.csv`);
  await Deno.link(outside, `${dataDir}/x.csv`);
  forgetRecords();
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assert(get.code === 0, get.stderr);
  assertEquals(get.stdout.trim(), `${dataDir}/x.csv`);
  const there = await Deno.stat(outside);
  // Last use was not recorded on the outside file (its times are as they were).
  assertEquals(there.atime?.getTime(), old.getTime());
  assertEquals(there.mtime?.getTime(), old.getTime());
  assertEquals(await Deno.readTextFile(outside), "x-data");
  // The cache's name now has a file of its own (renamed into place).
  assertEquals(there.nlink, 1);
  assertEquals((await Deno.stat(`${dataDir}/x.csv`)).nlink, 1);
  assertEquals(await Deno.readTextFile(`${dataDir}/x.csv`), "x-data");
});

Deno.test("cache rm and prune of a hard-linked data file unlink the cache's name only", async () => {
  await using ws = await CliWorkspace.create();
  const { dataDir } = await setup(ws);
  const got = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assert(got.code === 0, got.stderr);
  for (const [name, args] of [["x.csv", ["cache", "rm"]], ["y.csv", ["cache", "prune"]]] as const) {
    const outside = await ws.write(`outside-${name}`, name[0] + "-data");
    const before = await Deno.stat(outside);
    await Deno.remove(`${dataDir}/${name}`);
    await Deno.link(outside, `${dataDir}/${name}`);
    forgetRecords();
    const run = args[1] === "rm"
      ? await ws.run([...args, `${ws.bucket}/d/${name}`])
      : await ws.run([...args, "--max-size", "0"]);
    assert(run.code === 0, run.stderr);
    await Deno.lstat(`${dataDir}/${name}`).then(
      () => assert(false, `${name} still cached`),
      (e) => assert(e instanceof Deno.errors.NotFound),
    );
    const after = await Deno.stat(outside);
    assertEquals(await Deno.readTextFile(outside), name[0] + "-data");
    assertEquals(after.mtime?.getTime(), before.mtime?.getTime());
    assertEquals(after.nlink, 1);
  }
});

for (const command of ["verify", "prune"] as const) {
  Deno.test(`cache ${command} with a symlinked .meta: data without a readable record is reported, the link never followed`, async () => {
    await using ws = await CliWorkspace.create();
    const { dataDir } = await setup(ws);
    const meta = `${ws.cacheDir}/.meta`;
    const outside = ws.path("outside-meta");
    await Deno.rename(meta, outside);
    await Deno.symlink(outside, meta);
    const journal = `${outside}/${dataDir.slice(ws.cacheDir.length + 1)}/%records.jsonl`;
    const before = await Deno.readTextFile(journal);
    forgetRecords();
    const args = command === "prune" ? ["cache", "prune", "--max-size", "1G"] : ["cache", "verify"];
    const run = await ws.run(args);
    assert(run.code === 0, run.stderr);
    assertStringIncludes(run.stdout, `${dataDir}/x.csv`);
    assertStringIncludes(run.stdout, "data without a readable record");
    assertStringIncludes(run.stdout, `not followed: ${meta} is a symbolic link`);
    // Not listed as a valid entry; its data is gone from the cache; the link's target untouched.
    assert(!run.stdout.includes("1 ok"), run.stdout);
    await Deno.lstat(`${dataDir}/x.csv`).then(
      () => assert(false, "kept a data file whose record is behind a link"),
      (e) => assert(e instanceof Deno.errors.NotFound),
    );
    assertEquals(await Deno.readTextFile(journal), before);
    assert((await Deno.lstat(meta)).isSymlink);
  });
}

Deno.test("a cache copied with cp -al: refused with what to do, and cache verify repairs the copy", async () => {
  await using ws = await CliWorkspace.create();
  const { dataDir, journal } = await setup(ws);
  const copy = ws.path("copy");
  const cp = await new Deno.Command("cp", { args: ["-al", ws.cacheDir, copy] }).output();
  assert(cp.success, new TextDecoder().decode(cp.stderr));
  const env = { VC_CACHE_DIR: copy };
  const copiedJournal = journal.replace(ws.cacheDir, copy);
  const before = await Deno.readTextFile(journal);
  forgetRecords();
  const refused = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`], env);
  assertEquals(refused.code, 1, refused.stdout);
  assertStringIncludes(refused.stderr, copiedJournal);
  assertStringIncludes(refused.stderr, "cp -al");
  assertStringIncludes(refused.stderr, "vc cache verify");
  assertStringIncludes(refused.stderr, "stays usable");
  const verify = await ws.run(["cache", "verify"], env);
  assert(verify.code === 0, verify.stderr);
  assertStringIncludes(verify.stdout, `repaired ${copiedJournal}`);
  assertEquals((await Deno.stat(copiedJournal)).nlink, 1);
  // Its data file too (else every entry of the copy is downloaded again).
  const copiedData = `${dataDir}/x.csv`.replace(ws.cacheDir, copy);
  assertStringIncludes(verify.stdout, `repaired ${copiedData}`);
  assertEquals((await Deno.stat(copiedData)).nlink, 1);
  assertEquals(await Deno.readTextFile(copiedData), "x-data");
  // The repaired copy keeps the modification time its record names: still the cache's own.
  const recorded = readEntryRecord(recordPathsOf(copy, copiedData))?.meta.mtime;
  assertEquals((await Deno.stat(copiedData)).mtime!.getTime(), recorded);
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`], env);
  assert(get.code === 0, get.stderr);
  assertEquals(await Deno.readTextFile(get.stdout.trim()), "y-data");
  // The original cache is exactly as it was.
  assertEquals(await Deno.readTextFile(journal), before);
  assertEquals((await Deno.stat(journal)).nlink, 1);
  assertEquals(await Deno.readTextFile(`${dataDir}/x.csv`), "x-data");
});
