/**
 * `vc mirror STORE DIR` where DIR does not exist and a path above it is a
 * file: said once, up front, naming that file. Before, every key failed on
 * its own as "in the way ... (a bucket may hold keys "a" and "a/b" at once,
 * a file system cannot)", which blamed the bucket, and the summary said
 * "the rest was mirrored" of a run that wrote nothing.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc mirror: a target below a file is refused up front, naming the file", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "a");
  await ws.write("bucket/d/b.txt", "b");
  await ws.write("a-file", "x");
  for (const [target, extra] of [["a-file/sub/deeper", []], ["out", ["--target-prefix", "f/x"]]]) {
    if (target === "out") await ws.write("out/f", "y");
    const r = await ws.run(["mirror", ws.bucket, target as string, ...extra as string[]]);
    assertEquals(r.code, 1, r.stderr);
    const file = target === "out" ? ws.path("out/f") : ws.path("a-file");
    assertStringIncludes(r.stderr, `cannot be made: ${file} is a file, not a directory`);
    assertEquals(r.stderr.includes("in the way"), false, r.stderr);
  }
  assertEquals(await ws.read("a-file"), "x");
  assertEquals(await ws.read("out/f"), "y");
});
