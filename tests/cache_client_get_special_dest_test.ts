/**
 * `vc cache-client get ID /dev/stdout | wc -c`, the Unix idiom for "write it
 * to the pipe", failed after the request with `cannot write /dev/stdout: No
 * such file or directory (os error 2): open '/proc/self/fd/.pipe:[…].vc-tmp-…'`,
 * and a DEST that is a FIFO (or a link to one, or a device) was found out
 * only after part of the download. As `vc get` does, such a DEST is now
 * refused before any request, naming what it is and the command that writes
 * to standard output.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const ID = "a".repeat(128);

Deno.test({
  name: "cache-client get: a DEST that is a FIFO, a link to one or a device is refused up front",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-cc-special-dest-" });
    try {
      const fifo = join(dir, "fifo");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      await Deno.symlink(fifo, join(dir, "to_fifo"));
      const cases = [
        ["fifo", "is not a regular file but a FIFO"],
        ["to_fifo", "is not a regular file but a link to a FIFO"],
        ["/dev/null", "is not a regular file but a device"],
      ] as const;
      for (const [dest, said] of cases) {
        const io = memoryIo({
          cwd: dir,
          // Port 1: nothing is asked of a service before DEST is checked.
          env: { HOME: dir, VC_CACHE_URL: "http://127.0.0.1:1", VC_CACHE_TOKEN: "t" },
        });
        const code = await runCli(["cache-client", "get", ID, dest], io);
        assertEquals(code, 1, io.stderr());
        assertStringIncludes(io.stderr(), said);
        assertStringIncludes(
          io.stderr(),
          `\`vc cache-client get ${ID} -\` writes the content to standard output`,
        );
      }
      assertEquals((await Deno.lstat(fifo)).isFifo, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
