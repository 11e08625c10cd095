/**
 * `vc cat` writes the bytes its file held when it opened it, never more.
 * It read to the end of the file, an end that moved when stdout was that
 * same file (`vc cat /x.csv >> "$(vc path /x.csv)"`, or `>> x.csv` of an
 * override `./x.csv`): each chunk written was read again, and the command
 * never ended, filling the disk, where GNU cat refuses. Another process
 * appending to the file meanwhile made it write bytes that are no version.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("vc cat >> its own source: writes the file once and ends", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cat_growing_source_" }));
  try {
    const content = new Uint8Array(100 * 1024).map((_, i) => i % 251);
    const source = join(dir, "x.bin");
    await Deno.writeFile(source, content);
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      JSON.stringify({ "/x.bin": "./x.bin" }),
    );
    const env = {
      HOME: join(dir, "home"),
      VC_BUCKET: pathToFileURL(join(dir, "bucket")).href,
      VC_CACHE_DIR: join(dir, "cache"),
    };
    const io = memoryIo({ cwd: dir, env });
    // stdout is the source itself, opened for appending (`>> x.bin`); a
    // guard ends the run that would not end by itself.
    const written: Uint8Array[] = [];
    let total = 0;
    const appending = {
      ...io,
      writeStdout: async (data: Uint8Array) => {
        total += data.length;
        if (total > 20 * content.length) throw new Error("vc cat did not stop");
        written.push(data.slice());
        await Deno.writeFile(source, data, { append: true });
      },
    };
    const code = await runCli(["cat", "/x.bin"], appending);
    assertEquals(code, 0, io.stderr());
    assertEquals(total, content.length);
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of written) out.set(chunk, (at += chunk.length) - chunk.length);
    assert(out.every((b, i) => b === content[i]), "not the file's bytes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
