/**
 * A key that starts with a version's key and goes on (`p1.1.5.0.csv.bak`, an
 * editor's or a download's leftover: `.tmp`, `.part`, `.swp`) is no version
 * of any path, for vc as for baiji-pod (whose listing keeps only keys ending
 * in the path's own extension). It is never listed or built on, but it is not
 * passed over in silence either: `vc versions` and `vc ls-remote` name such
 * keys in one line (their count and the first three), so a bucket where
 * someone renamed `1.5.0` away does not look as if it never held it.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { leftoverVersionedKey } from "../src/versioned/naming.ts";

const LEFTOVERS = ["p1.1.5.0.csv.bak", "p1.1.7.0.csv.tmp", "p1.1.8.0.csv.part", "p1.1.9.0.csv.swp"];
const NOT_ABOUT_P1 = [".DS_Store", "Thumbs.db", "p1.notes.txt"];

async function bucketWithLeftovers(ws: CliWorkspace): Promise<void> {
  await ws.write("src/p1.csv", "a\n");
  assertEquals((await ws.vc("add", "/p1.csv", "src/p1.csv")).code, 0);
  for (const key of [...LEFTOVERS, ...NOT_ABOUT_P1]) {
    await Deno.writeTextFile(join(ws.bucketDir, key), `${key}\n`);
  }
}

Deno.test("leftoverVersionedKey: which keys are leftovers of which version", () => {
  const of = (key: string) => {
    const found = leftoverVersionedKey(key);
    return found === undefined ? undefined : `${found.path} ${found.version}`;
  };
  assertEquals(of("p1.1.5.0.csv.bak"), "/p1.csv 1.5.0");
  assertEquals(of("d/p1.1.5.0.csv.bak.old"), "/d/p1.csv 1.5.0");
  assertEquals(of("p1.1.8.0.csv.part"), "/p1.csv 1.8.0");
  assertEquals(of("p1.1.0.0.csv.bak~"), "/p1.csv 1.0.0");
  assertEquals(of("x.1.0.0 copy"), "/x 1.0.0");
  // A compressed copy of /x.tar's version (/x.tar.gz's key is x.tar.1.0.0.gz).
  assertEquals(of("x.1.0.0.tar.gz"), "/x.tar 1.0.0");
  // Versions themselves, of the path they name exactly.
  assertEquals(of("p1.1.0.0.csv"), undefined);
  assertEquals(of("p1.1.6.0.csv~"), undefined); // /p1.csv~ at 1.6.0
  assertEquals(of("p1.1.0.0.csv-old"), undefined); // /p1.csv-old at 1.0.0
  assertEquals(of("data.1.2.3.4.5.6.csv"), undefined); // /data.1.2.3.csv at 4.5.6
  assertEquals(of("DATA.1.0.0.CSV"), undefined); // /DATA.CSV at 1.0.0
  assertEquals(of("p1.2.0.0-old.csv"), undefined); // a pre-release, 2.0.0-old
  // /p1.tmp at 2.0.0-rc.1.csv: a pre-release's identifiers may read as an extension.
  assertEquals(of("p1.2.0.0-rc.1.csv.tmp"), undefined);
  // Warned of as another tool's spelling, or named by nothing.
  assertEquals(of("x.1.1.0+nightly.7.csv"), undefined);
  assertEquals(of("p1.01.0.0.csv"), undefined);
  assertEquals(of("p1.2.0.0.csv/p1.csv"), undefined);
  for (const key of [...NOT_ABOUT_P1, "d/.DS_Store", "photo.2024.01.05.jpg", "p1.csv.bak"]) {
    assertEquals(of(key), undefined, key);
  }
});

Deno.test("cli versions: leftover keys of the path named in one line, not listed", async () => {
  await using ws = await CliWorkspace.create();
  await bucketWithLeftovers(ws);
  const versions = await ws.vc("versions", "/p1.csv");
  assertEquals([versions.code, versions.stdout], [0, "1.0.0\n"]);
  const lines = versions.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, versions.stderr);
  assertStringIncludes(lines[0]!, "4 keys");
  assertStringIncludes(
    lines[0]!,
    "p1.1.5.0.csv.bak, p1.1.7.0.csv.tmp, p1.1.8.0.csv.part and 1 more",
  );
  assertEquals(lines[0]!.includes("DS_Store") || lines[0]!.includes("notes"), false, lines[0]);
});

Deno.test("cli update --patch: builds on 1.0.0, not on a leftover p1.1.5.0.csv.bak", async () => {
  await using ws = await CliWorkspace.create();
  await bucketWithLeftovers(ws);
  await ws.write("src/p1.csv", "b\n");
  const update = await ws.vc("update", "/p1.csv", "src/p1.csv", "--patch");
  assertEquals(update.code, 0, update.stderr);
  assertStringIncludes(update.stdout, "1.0.0 -> 1.0.1");
  const versions = await ws.vc("versions", "/p1.csv");
  assertEquals(versions.stdout, "1.0.0\n1.0.1\n");
});

Deno.test("cli ls-remote: leftover keys named in one line, their paths not listed", async () => {
  await using ws = await CliWorkspace.create();
  await bucketWithLeftovers(ws);
  await Deno.writeTextFile(join(ws.bucketDir, "q.2.0.0.json.bak"), "q\n");
  const remote = await ws.vc("ls-remote");
  assertEquals(remote.code, 0, remote.stderr);
  assertEquals(remote.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/)[0]), ["/p1.csv"]);
  const lines = remote.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, remote.stderr);
  assertStringIncludes(lines[0]!, "5 keys");
  assertStringIncludes(
    lines[0]!,
    "p1.1.5.0.csv.bak, p1.1.7.0.csv.tmp, p1.1.8.0.csv.part and 2 more",
  );
});
