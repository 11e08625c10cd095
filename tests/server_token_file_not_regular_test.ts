/**
 * A token file that is not a regular file: a FIFO hung `vc serve` (its
 * start, then every request) and `vc serve add-token` at the open, and
 * `/dev/zero` was read until memory ran out. Now each is refused at once,
 * naming the file, and add-token writes nothing over it.
 */
import { addToken, TokenFileAuth } from "../src/server/auth.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { mkfifo } from "./fifo.ts";

Deno.test({
  name: "a token file that is a FIFO, /dev/zero or a directory is refused at once",
  ignore: Deno.build.os === "windows", // FIFOs and /dev/zero are POSIX
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const fifo = `${dir}/fifo.json`;
      mkfifo(fifo);
      const zero = `${dir}/zero.json`;
      await Deno.symlink("/dev/zero", zero);
      const sub = `${dir}/sub.json`;
      await Deno.mkdir(sub);
      for (const path of [fifo, zero, sub]) {
        const e = await assertRejects(() => new TokenFileAuth({ path }).check(), InvalidInputError);
        assertStringIncludes(e.message, `token file ${path}`);
        // Named as given (add-token named the link's target, `/dev/zero`).
        const added = await assertRejects(() => addToken(path, "ann"), InvalidInputError);
        assertStringIncludes(added.message, `token file ${path}`);
      }
      // What the link leads to is said too, as what it is.
      for (
        const check of [
          () => new TokenFileAuth({ path: zero }).check(),
          () => addToken(zero, "ann"),
        ]
      ) {
        const e = await assertRejects(check, InvalidInputError);
        assertStringIncludes(e.message, `token file ${zero} (a link to /dev/zero) is a device`);
      }
      assert((await Deno.lstat(fifo)).isFifo, "add-token left the FIFO as it was");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a huge token file is refused by its size, not read whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.json`;
    const f = await Deno.open(path, { write: true, create: true });
    await f.truncate(64 * 1024 * 1024); // sparse: costs no disk
    f.close();
    const e = await assertRejects(() => new TokenFileAuth({ path }).check(), InvalidInputError);
    assertStringIncludes(e.message, "larger than");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
