/**
 * `vc mirror DIR TARGET --state s3://b/s.json` (or `--state=~/s.json`, where no
 * shell expands the `~`) made a state file `./s3:/b/s.json` (or `./~/s.json`)
 * in the working directory and reported success; `--state ""` was the
 * working directory itself. `--state` is a local path setting like the
 * others: `~` is HOME, and a URI, `-` or an empty value is a usage error
 * before anything is mirrored.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("mirror --state: a URI, - or empty is a usage error; ~ is HOME", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a.txt", "a\n");
  const target = `${ws.bucket}/m`;
  for (
    const [value, says] of [
      ["s3://b/s.json", "--state must be a local path"],
      ["-", "--state -: vc reads no standard input"],
      ["", "--state is empty"],
    ]
  ) {
    const r = await ws.run(["mirror", "src", target, `--state=${value}`]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, says!);
  }
  const names = (await Array.fromAsync(Deno.readDir(ws.dir))).map((e) => e.name).sort();
  assertEquals(names.filter((n) => n === "s3:" || n === "-" || n === "~"), []);
  assertEquals(
    await Deno.lstat(join(ws.bucketDir, "m", "a.txt")).catch(() => undefined),
    undefined,
  );

  const home = await ws.run(["mirror", "src", target, "--state=~/s.json"]);
  assertEquals(home.code, 0, home.stderr);
  assertEquals((await Deno.stat(join(ws.env.HOME!, "s.json"))).isFile, true);
  assertEquals(await Deno.lstat(ws.path("~")).catch(() => undefined), undefined);
});
