/**
 * `vc prefill --list -` behind a slow producer (`aws s3api list-objects-v2`
 * of a large bucket, minutes of pages) said nothing until the whole list was
 * read: the progress bar, and in a CI log its line every 30 s, started only
 * with the downloads, so a job that times out on silence was stopped while
 * the list came in. The bar now starts with the reading, naming the list.
 */
import { join, toFileUrl } from "../src/path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test({
  name: "vc prefill: the progress names the list while it is still being read",
  ignore: Deno.build.os === "windows", // mkfifo
  async fn() {
    await using dir = await tempDir("vc-prefill-list-read-");
    // Longer than the 80-column line: on a terminal it is shortened.
    const deep = join(dir.path, "a-directory-with-a-rather-long-name-".repeat(3));
    await Deno.mkdir(deep);
    const fifo = join(deep, "list.fifo");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert(made.success, "mkfifo");
    await Deno.writeTextFile(join(dir.path, "a.txt"), "a");
    const io = memoryIo({
      env: { HOME: dir.path, VC_CACHE_DIR: join(dir.path, "cache"), TERM: "xterm" },
      cwd: dir.path,
      stderrIsTerminal: true,
    });
    const run = runCli(["prefill", "--list", fifo], io);
    // The writer has not opened the pipe yet: the list is being read.
    let seen = "";
    for (let i = 0; i < 50 && !seen.includes("reading"); i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen = io.stderr();
    }
    // The path's end and the word that says it is being read.
    assert(seen.includes("…"), JSON.stringify(seen));
    assert(seen.includes("-name-/list.fifo: reading"), JSON.stringify(seen));
    const writer = await Deno.open(fifo, { write: true });
    await writer.write(new TextEncoder().encode(`${toFileUrl(join(dir.path, "a.txt")).href}\n`));
    writer.close();
    assertEquals(await run, 0, io.stderr());
    assert(io.stderr().endsWith("\r\x1b[K"), JSON.stringify(io.stderr().slice(-100)));
  },
});
