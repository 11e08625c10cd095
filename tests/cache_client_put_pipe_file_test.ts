/**
 * `make-report | vc cache-client put ID /dev/stdin --filename r.tsv` and
 * `vc cache-client put ID <(make-report) --filename r.tsv`, the Unix idioms
 * for a pipe given as a file, failed with `file to upload: /dev/fd/63 is not
 * a regular file`. A FILE that is a pipe (a FIFO, also through a link) is
 * read as FILE `-` is: copied to a temp file first, with --filename.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { CacheClient } from "../src/server/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

Deno.test({
  name: "cache-client put: a FILE that is a pipe is read as - is, with --filename",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using service = await startService();
    const token = service.tokens.alice;
    const id = (await newCacheId(service.url, token, { sample: "pipe as file" })).doc
      .cache_id as string;
    const fifo = join(service.dir, "fifo");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await Deno.symlink(fifo, join(service.dir, "to_fifo"));
    const env = { HOME: service.dir, VC_CACHE_URL: service.url, VC_CACHE_TOKEN: token };
    // Without --filename: the name to store is not known (a pipe's is `63`).
    const bare = memoryIo({ cwd: service.dir, env });
    assertEquals(await runCli(["cache-client", "put", id, "fifo"], bare), 2, bare.stderr());
    assertStringIncludes(bare.stderr(), "needs --filename NAME");
    for (const file of ["fifo", "to_fifo"]) {
      const content = `report through ${file}\n`;
      // The pipe's writer, as a shell's `<(…)` or `… |` is.
      const writer = (async () => {
        using w = await Deno.open(fifo, { write: true });
        await w.write(new TextEncoder().encode(content));
      })();
      const io = memoryIo({ cwd: service.dir, env });
      const code = await runCli(
        ["cache-client", "put", id, file, "--filename", "r.tsv"],
        io,
      );
      await writer;
      assertEquals(code, 0, io.stderr());
      const client = new CacheClient({ url: service.url, token });
      const res = await client.get(id);
      assertEquals(await res!.text(), content);
    }
  },
});
