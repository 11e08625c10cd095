/**
 * `vc repo get ID --to DIR`: the record's name (its logical path's last
 * segment) becomes a file in DIR. On Windows `CON`, `aux.txt`, `a.` or
 * `a:b` are no such file (a device, another file, a stream), so there it is
 * refused, named, as `vc sync` and `vc mirror` refuse such names. Run on
 * Linux with `fsPlatform.windowsNames`: this proves the check, not Windows.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("vc repo get --to DIR refuses a record name that is no Windows file name", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: ws.bucket };
  await ws.write("in.csv", "a\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const ids: string[] = [];
  for (const path of ["/x/CON", "/x/aux.txt", "/x/a.", "/x/ok.csv"]) {
    ids.push((await ws.run(["repo", "add", path, "in.csv"], env)).stdout.trim());
  }
  await Deno.mkdir(ws.path("out"));
  await withFsPlatform({ windowsNames: true }, async () => {
    for (const [i, why] of ["device name", "device name", "ends with a dot"].entries()) {
      const result = await ws.run(["repo", "get", ids[i]!, "--to", "out"], env);
      assertFailure(result, 1, `cannot write record ${ids[i]}`, why, "--to FILE");
    }
    assertEquals((await ws.run(["repo", "get", ids[3]!, "--to", "out"], env)).code, 0);
  });
  assertEquals([...Deno.readDirSync(ws.path("out"))].map((e) => e.name), ["ok.csv"]);
  // Elsewhere these are file names like any other.
  await withFsPlatform({ windowsNames: false }, async () => {
    assertEquals((await ws.run(["repo", "get", ids[0]!, "--to", "out"], env)).code, 0);
  });
  assertEquals(await ws.read("out/CON"), "a\n");
});
