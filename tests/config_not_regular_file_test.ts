/**
 * A settings file that is not a regular file: a FIFO named `vc.json` (or the
 * user config file) hung every command in its directory at the open, deaf to
 * Ctrl-C and SIGTERM, and `/dev/zero` or a huge file was read until memory
 * ran out. Now each is refused at once with an error naming the file.
 */
import { ConfigFileError } from "../src/errors.ts";
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { mkfifo } from "./fifo.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const unix = Deno.build.os !== "windows";

Deno.test({
  name: "a FIFO named vc.json or deno.json is refused at once, not opened",
  ignore: !unix, // FIFOs are POSIX
  fn: () =>
    withDir((dir) => {
      for (const name of ["vc.json", "deno.json"]) {
        mkfifo(`${dir}/${name}`);
        const e = assertThrows(() => findProjectConfig(dir), ConfigFileError);
        assertStringIncludes(e.message, `${dir}/${name}`);
        assertStringIncludes(e.message, "not a regular file");
        Deno.removeSync(`${dir}/${name}`);
      }
    }),
});

Deno.test({
  name: "a user config file that is a FIFO or /dev/zero is refused at once",
  ignore: !unix, // FIFOs and /dev/zero are POSIX
  fn: () =>
    withDir((dir) => {
      const fifo = `${dir}/config.json`;
      mkfifo(fifo);
      const e = assertThrows(() => loadConfigFile(fifo), ConfigFileError);
      assertStringIncludes(e.message, `config file ${fifo}`);
      assertStringIncludes(e.message, "not a regular file");
      const zero = `${dir}/zero.json`;
      Deno.symlinkSync("/dev/zero", zero);
      const z = assertThrows(() => loadConfigFile(zero), ConfigFileError);
      assertStringIncludes(z.message, `config file ${zero}`);
    }),
});

Deno.test("a huge config file is refused by its size, not read whole", () =>
  withDir((dir) => {
    const big = `${dir}/vc.json`;
    const f = Deno.openSync(big, { write: true, create: true });
    f.truncateSync(64 * 1024 * 1024); // sparse: costs no disk
    f.close();
    const e = assertThrows(() => findProjectConfig(dir), ConfigFileError);
    assertStringIncludes(e.message, big);
    assertStringIncludes(e.message, "larger than");
  }));
