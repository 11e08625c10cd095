/**
 * `repo add` of a file that is not a regular one: a device such as
 * `/dev/zero` was hashed forever (the command hung), a FIFO blocked; a
 * missing file gave a bare `stat` error. Each is now a clear error naming
 * the file and the logical path, and nothing is uploaded or recorded.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test({
  name: "repo add refuses a device, a FIFO and a directory, and names a missing file",
  ignore: Deno.build.os === "windows", // no /dev/zero, no mkfifo
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_add_input_" });
    try {
      await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
      const fifo = join(dir, "fifo");
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assertEquals(made.code, 0);
      for (const source of ["/dev/zero", fifo, dir]) {
        const e = await assertRejects(() => repo.add("/a.csv", source), InvalidInputError);
        assertStringIncludes(e.message, `file to add as /a.csv: ${source} is not a regular file`);
      }
      const missing = join(dir, "missing.csv");
      const e = await assertRejects(() => repo.add("/a.csv", missing), NotFoundError);
      assertStringIncludes(e.message, `file to add as /a.csv: ${missing} does not exist`);
      assertEquals(await repo.list({}), []);
      const content = await Array.fromAsync(repo.store.list(repo.marker.contentPrefix));
      assertEquals(content, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("vc repo add of /dev/zero exits 1 with the message", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: pathToFileURL(ws.path("repo")).href };
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const r = await ws.run(["repo", "add", "/z.bin", "/dev/zero"], env);
  assertEquals([r.code, r.stdout], [1, ""]);
  assertStringIncludes(r.stderr, "file to add as /z.bin: /dev/zero is not a regular file");
});
