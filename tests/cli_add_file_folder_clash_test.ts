/**
 * `vc add` of a path that would be a file and a folder of one name beside
 * another entry of the manifest is refused before anything is uploaded,
 * naming both: `/a` beside `/a/b` (`vc sync` writes each path as a file
 * under DEST), and `/net.1.0.0/notes.txt` beside `/net` at 1.0.0, whose keys
 * `net.1.0.0/notes.1.0.0.txt` and `net.1.0.0` an S3 bucket holds both but no
 * cache directory can (`vc path`, `vc sync` and `vc prefill` of one failed on
 * every machine, later).
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

async function bucketKeys(dir: string, at = ""): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of Deno.readDir(join(dir, at))) {
    const key = at === "" ? entry.name : `${at}/${entry.name}`;
    if (entry.isDirectory) keys.push(...await bucketKeys(dir, key));
    else if (!entry.name.startsWith(".vc~")) keys.push(key);
  }
  return keys.sort();
}

const cases = [
  { first: "/a", second: "/a/b", says: ["/a/b", "/a", "vc sync"] },
  { first: "/a/b", second: "/a", says: ["/a/b", "/a", "vc sync"] },
  {
    first: "/net",
    second: "/net.1.0.0/notes.txt",
    says: ["/net.1.0.0/notes.txt", "net.1.0.0/notes.1.0.0.txt", "/net 1.0.0", "key net.1.0.0"],
  },
  {
    first: "/net.1.0.0/notes.txt",
    second: "/net",
    says: ["/net.1.0.0/notes.txt", "net.1.0.0/notes.1.0.0.txt", "/net 1.0.0", "key net.1.0.0"],
  },
];

for (const { first, second, says } of cases) {
  Deno.test(`cli add: ${second} beside ${first} is refused before the upload, naming both`, async () => {
    await using ws = await CliWorkspace.create();
    await ws.write("src/one", "one\n");
    await ws.write("src/two", "two\n");
    assertEquals((await ws.vc("add", first, "src/one")).code, 0);
    const manifest = await ws.read("versioned_assets.json");
    const keys = await bucketKeys(ws.bucketDir);

    const r = await ws.vc("add", second, "src/two");
    assertFailure(r, 1, ...says, "nothing was published");
    assertEquals(await ws.read("versioned_assets.json"), manifest);
    assertEquals(await bucketKeys(ws.bucketDir), keys);
  });
}

Deno.test("cli add: paths beside each other that clash in no way are added", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/one", "one\n");
  for (const path of ["/a", "/ab/c", "/a.1.0.1/x", "/b/a"]) {
    const r = await ws.vc("add", path, "src/one");
    assertEquals(r.code, 0, r.stderr);
  }
});

Deno.test("cli update: a version whose key would hold another pinned key below it is refused before the upload", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/one", "one\n");
  await ws.write("src/two", "two\n");
  assertEquals((await ws.vc("add", "/n.1.0.1/notes.txt", "src/one")).code, 0);
  assertEquals((await ws.vc("add", "/n", "src/one")).code, 0);
  const manifest = await ws.read("versioned_assets.json");
  const keys = await bucketKeys(ws.bucketDir);

  const r = await ws.vc("update", "/n", "src/two", "--patch");
  assertFailure(
    r,
    1,
    "cannot publish /n 1.0.1",
    "n.1.0.1/notes.1.0.0.txt lies below n.1.0.1",
    "publish another version of it",
  );
  assertEquals(await ws.read("versioned_assets.json"), manifest);
  assertEquals(await bucketKeys(ws.bucketDir), keys);

  const other = await ws.vc("update", "/n", "src/two", "--minor");
  assertEquals(other.code, 0, other.stderr);
});
