/**
 * Issue 11 layout against hard links planted in a restored cache: the
 * shared temp file (the cross-process lock) and a record journal are files
 * vc writes in place, so a second name for them, outside the cache dir,
 * must never see a write. (Symbolic links are refused already; a hard link
 * looks like a regular file to `lstat`.)
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { compactJournal, forgetJournals } from "../src/cache/record_journal.ts";

async function setup(ws: CliWorkspace): Promise<{ dataDir: string; metaDir: string }> {
  await ws.write("bucket/d/x.csv", "x-data");
  await ws.write("bucket/d/y.csv", "y-data");
  await ws.write("outside.txt", "SECRET\n");
  const first = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assert(first.code === 0, first.stderr);
  const dataDir = first.stdout.trim().replace(/\/x\.csv$/, "");
  const metaDir = dataDir.replace(ws.cacheDir, `${ws.cacheDir}/.meta`);
  assert((await Deno.lstat(`${metaDir}/%records.jsonl`)).isFile);
  return { dataDir, metaDir };
}

Deno.test("a hard link planted at the shared temp path: the file outside is not written", async () => {
  await using ws = await CliWorkspace.create();
  const { dataDir } = await setup(ws);
  await Deno.link(ws.path("outside.txt"), `${dataDir}/.y.csv.vc-tmp-0-shared`);
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assertEquals(await ws.read("outside.txt"), "SECRET\n");
  // Still served (the lock is optional: a unique temp file does the work), verified.
  assert(get.code === 0, get.stderr);
  assertEquals(await Deno.readTextFile(get.stdout.trim()), "y-data");
});

Deno.test("a record journal hard-linked to a file outside: refused, nothing appended there", async () => {
  await using ws = await CliWorkspace.create();
  const { metaDir } = await setup(ws);
  await Deno.remove(`${metaDir}/%records.jsonl`);
  await Deno.link(ws.path("outside.txt"), `${metaDir}/%records.jsonl`);
  const get = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assert(get.code === 1, get.stdout);
  assertStringIncludes(get.stderr, "another hard link");
  const rm = await ws.run(["cache", "rm", `${ws.bucket}/d/x.csv`]);
  assertEquals(await ws.read("outside.txt"), "SECRET\n", rm.stderr);
});

Deno.test("compacting a hard-linked journal leaves the file outside untouched, times included", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-hard-links-" });
  try {
    const outside = `${dir}/outside.txt`;
    const line = 'a\t{"v":1}\n';
    await Deno.writeTextFile(outside, line.repeat(4) + "a\t-\n");
    const before = await Deno.stat(outside);
    await Deno.mkdir(`${dir}/meta`);
    await Deno.link(outside, `${dir}/meta/%records.jsonl`);
    forgetJournals();
    compactJournal(`${dir}/meta/%records.jsonl`, { force: true });
    const after = await Deno.stat(outside);
    assertEquals(after.mtime?.getTime(), before.mtime?.getTime());
    assertEquals(await Deno.readTextFile(outside), line.repeat(4) + "a\t-\n");
  } finally {
    forgetJournals();
    await Deno.remove(dir, { recursive: true });
  }
});
