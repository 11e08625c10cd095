/**
 * `vc repo get ID --to DIR`: a logical path may hold a backslash
 * (`/x/a\b.csv` is one name in the catalog, as in S3), which Windows reads
 * as a separator: written into DIR there it would be `DIR\a\b.csv` (or
 * `b.csv`, or the record's name would silently change), not the record's
 * name. So on Windows it is refused, named, like `CON` or `a:b`, and
 * elsewhere it is a file name like any other. Run on Linux with
 * `fsPlatform.windowsNames`: this proves the check, not Windows.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("vc repo get --to DIR refuses a record name holding a backslash on Windows", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: ws.bucket };
  await ws.write("in.csv", "a\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const ids: string[] = [];
  for (const path of ["/x/a\\b.csv", "/x/up\\..\\..\\evil.csv", "/x/tail\\"]) {
    const added = await ws.run(["repo", "add", path, "in.csv"], env);
    assertEquals(added.code, 0, added.stderr);
    ids.push(added.stdout.trim());
  }
  await Deno.mkdir(ws.path("out"));
  await withFsPlatform({ windowsNames: true }, async () => {
    for (const id of ids) {
      const result = await ws.run(["repo", "get", id, "--to", "out"], env);
      assertFailure(result, 1, `cannot write record ${id}`, "backslash", "--to FILE");
    }
  });
  assertEquals([...Deno.readDirSync(ws.path("out"))], []);
  // Elsewhere a backslash is a character of the name like any other.
  await withFsPlatform({ windowsNames: false }, async () => {
    assertEquals((await ws.run(["repo", "get", ids[0]!, "--to", "out"], env)).code, 0);
  });
  assertEquals(await ws.read("out/a\\b.csv"), "a\n");
});
