/**
 * `vc cache-client put --filename NAME` with a path in NAME: the service
 * keeps the base name only (`reports/out.tsv` is stored as `out.tsv`), yet
 * the command said `uploaded … as reports/out.tsv`, a name no client would
 * ever get back. It says the name kept. A NAME no service keeps (the API's
 * `placeholder`, `..`, a control character) is a usage error (exit 2) before
 * anything is read or sent: before, standard input was read to its end (a
 * long job's whole output), and only the upload was refused.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { CacheClient } from "../src/server/client.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

Deno.test("cache-client put: a --filename with a path is said as the base name the service keeps", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ job: "filename-path" });
  await Deno.writeTextFile(join(t.dir, "result.tsv"), "a\tb\n");
  const io = memoryIo({
    cwd: t.dir,
    env: { HOME: t.dir, VC_CACHE_URL: t.url, VC_CACHE_TOKEN: t.tokens.alice },
  });
  const code = await runCli(
    ["cache-client", "put", cacheId, "result.tsv", "--filename", "reports/out.tsv"],
    io,
  );
  assertEquals(code, 0, io.stderr());
  const said = io.stderr() + io.stdout();
  assertStringIncludes(said, "as out.tsv");
  assert(!said.includes("reports/"), said);
  assertEquals((await client.id({ job: "filename-path" })).filename, "out.tsv");
});

Deno.test("cache-client put: a --filename no service keeps is a usage error before anything is read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cc-bad-name-" });
  try {
    await Deno.writeTextFile(join(dir, "result.tsv"), "a\tb\n");
    for (
      const [file, name, words] of [
        ["-", "placeholder", `"no file yet"`],
        ["result.tsv", "../placeholder", `"no file yet"`],
        ["result.tsv", "dir/..", "no base name"],
      ]
    ) {
      const io = memoryIo({
        cwd: dir,
        // Port 1: nothing is asked of a service before the flag is checked.
        env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN: "t" },
      });
      const code = await runCli(
        ["cache-client", "put", "a".repeat(128), file!, "--filename", name!],
        io,
      );
      assertEquals(code, 2, io.stderr());
      assertStringIncludes(io.stderr(), "--filename");
      assertStringIncludes(io.stderr(), words!);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
