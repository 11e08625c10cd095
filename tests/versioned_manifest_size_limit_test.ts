import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { MAX_MANIFEST_BYTES } from "../src/versioned/manifest.ts";

// `vc add` published, then wrote a manifest past the 16 MiB every command
// reads, then failed reading it back: the manifest was left unreadable by
// every later command (and the message said to add the entry by hand).
Deno.test("add: an entry that would take the manifest past its size limit is refused before publishing", async () => {
  await using ws = await CliWorkspace.create();
  const lines: string[] = [];
  let size = 4;
  // Mostly long names, then short ones to within 200 bytes of the limit: the
  // manifest's size is the point, not its count of entries (every command
  // that reads it pays for each; 20,000 of them here, not 270,000).
  const deep = Array.from({ length: 3 }, () => "x".repeat(230)).join("/");
  for (const dirs of [deep, "x".repeat(40)]) {
    for (let i = lines.length;; i++) {
      const line = `    "/data/${String(i).padStart(8, "0")}/${dirs}.csv": "1.0.0"`;
      if (size + line.length + 2 > MAX_MANIFEST_BYTES - 200) break;
      lines.push(line);
      size += line.length + 2;
    }
  }
  const text = `{\n${lines.join(",\n")}\n}\n`;
  await ws.write("versioned_assets.json", text);
  await ws.write("f.txt", "one");
  const long = `/z/${"y".repeat(300)}.txt`;
  const r = await ws.vc("add", long, "f.txt");
  assertFailure(r, 1, "(16 MiB) vc reads; nothing was published");
  assertEquals(await ws.read("versioned_assets.json"), text);
  assertEquals(await Deno.lstat(join(ws.bucketDir, "z")).catch(() => undefined), undefined);
  // A short entry still fits, and the manifest stays readable.
  assertEquals((await ws.vc("add", "/a.txt", "f.txt")).code, 0);
  const ls = await ws.vc("ls");
  assertEquals(ls.code, 0, ls.stderr);
  assert(ls.stdout.includes("/a.txt"));
});
