/**
 * A version gone from the bucket is often still there under another name:
 * renamed away (`p1.1.5.0.csv.bak`, a download's `.part`), or an editor's
 * backup uploaded beside it (`p1.1.6.0.csv~`). The latter is, for vc as for
 * baiji-pod, exactly version 1.6.0 of another path, `/p1.csv~` (baiji-pod
 * reads the first `.N.N.N` and keeps keys ending in the path's extension),
 * so it stays that path's version: `vc path /p1.csv~ 1.6.0` reads it and
 * `vc ls-remote` lists it. But it is not passed over in silence where
 * `/p1.csv` is concerned: `vc versions /p1.csv` names it, and the error of a
 * missing version of `/p1.csv` names any key that starts with that version's
 * key and goes on, as the object to copy to the version's key.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { startedVersionKey } from "../src/versioned/naming.ts";

async function bucket(ws: CliWorkspace, ...keys: string[]): Promise<void> {
  await ws.write("src/p1.csv", "a\n");
  assertEquals((await ws.vc("add", "/p1.csv", "src/p1.csv")).code, 0);
  for (const key of keys) await Deno.writeTextFile(join(ws.bucketDir, key), `${key}\n`);
}

Deno.test("startedVersionKey: the version's key a key starts with and goes on past", () => {
  const of = (key: string) => {
    const found = startedVersionKey(key);
    return found === undefined ? undefined : `${found.path} ${found.version}`;
  };
  assertEquals(of("p1.1.6.0.csv~"), "/p1.csv 1.6.0");
  assertEquals(of("p1.1.5.0.csv.bak"), "/p1.csv 1.5.0");
  assertEquals(of("p1.1.0.0.csv-old"), "/p1.csv 1.0.0");
  assertEquals(of("p1.1.0.0.csv"), undefined);
  assertEquals(of("p1.csv~"), undefined);
});

Deno.test("vc path of a pinned version that is gone names the key that holds it renamed", async () => {
  await using ws = await CliWorkspace.create();
  await bucket(ws, "p1.1.5.0.csv.bak", "p1.1.6.0.csv~", "p1.1.9.0.csv");
  await ws.write("versioned_assets.json", '{\n  "/p1.csv": "1.5.0"\n}\n');
  const bak = await ws.vc("path", "/p1.csv");
  assertEquals(bak.code, 1);
  assertStringIncludes(bak.stderr, "version 1.5.0 of /p1.csv does not exist");
  assertStringIncludes(bak.stderr, "available: 1.0.0, 1.9.0");
  assertStringIncludes(bak.stderr, "p1.1.5.0.csv.bak");
  assertStringIncludes(bak.stderr, "copy it to p1.1.5.0.csv");
  assertEquals(bak.stderr.includes("p1.1.6.0.csv~"), false, bak.stderr);

  const tilde = await ws.vc("path", "/p1.csv", "1.6.0");
  assertEquals(tilde.code, 1);
  assertStringIncludes(tilde.stderr, "p1.1.6.0.csv~");
  assertStringIncludes(tilde.stderr, "/p1.csv~ at 1.6.0");
  assertStringIncludes(tilde.stderr, "copy it to p1.1.6.0.csv");
});

Deno.test("vc versions names a key that is another path's version but starts with one of its own", async () => {
  await using ws = await CliWorkspace.create();
  await bucket(ws, "p1.1.6.0.csv~");
  const versions = await ws.vc("versions", "/p1.csv");
  assertEquals([versions.code, versions.stdout], [0, "1.0.0\n"]);
  assertStringIncludes(versions.stderr, "p1.1.6.0.csv~");
  assertStringIncludes(versions.stderr, "/p1.csv~ at 1.6.0");
  // Still /p1.csv~'s version, as baiji-pod reads it: listed and read as such, without a warning.
  const own = await ws.vc("versions", "/p1.csv~");
  assertEquals([own.code, own.stdout, own.stderr], [0, "1.6.0\n", ""]);
  assertEquals((await ws.vc("path", "/p1.csv~", "1.6.0")).code, 0);
  const remote = await ws.vc("ls-remote");
  assertStringIncludes(remote.stdout, "/p1.csv~");
});
