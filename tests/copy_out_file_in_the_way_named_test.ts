/**
 * A file where a directory of the destination belongs (`out/d` a file, for
 * `/d/a.csv` synced into `out`) failed `vc sync` and `vc get` with "a file is
 * where one of its directories belongs (remove it, …)", naming only the
 * destination: which of its directories, and so what "it" to remove, was
 * left to guess in a deep tree; `downloadToFile()` said the same. The file
 * in the way is now named.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { InvalidInputError } from "../src/errors.ts";
import { downloadToFile, MemoryStore } from "../src/store/mod.ts";

Deno.test("vc sync names the file that stands where a directory of an entry belongs", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/d/e/a.csv", "a.csv")).code, 0);
  await ws.write("out/d", "a file of mine\n");

  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    `cannot write ${ws.path("out/d/e/a.csv")}: a file is where one of its directories belongs: ` +
      `${ws.path("out/d")} (remove it, or copy somewhere else)`,
  );
  assertEquals(await ws.read("out/d"), "a file of mine\n");
});

Deno.test("vc sync names the file that stands where a directory of DEST belongs", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  await ws.write("afile", "a file of mine\n");

  const r = await ws.vc("sync", "afile/sub/out");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    `copied nothing: a file is where one of its directories belongs: ${ws.path("afile")}`,
  );
});

Deno.test("vc get names the file that stands where a directory of DEST belongs", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/a.csv", "a.csv")).code, 0);
  await ws.write("afile", "a file of mine\n");

  const r = await ws.vc("get", "/a.csv", "afile/sub/a.csv");
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    `a file is where one of its directories belongs: ${ws.path("afile")}`,
  );
});

Deno.test("downloadToFile names the file that stands where a directory of its destination belongs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-download-dest-" });
  try {
    await using store = new MemoryStore();
    await store.put("k.csv", new TextEncoder().encode("a,b\n"));
    await Deno.writeTextFile(`${dir}/file`, "in the way");
    const e = await assertRejects(
      () => downloadToFile(store, "k.csv", `${dir}/file/sub/k.csv`),
      InvalidInputError,
    );
    assertStringIncludes(e.message, `a file is where one of its directories belongs: ${dir}/file`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
