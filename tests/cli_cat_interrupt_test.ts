/**
 * Ctrl-C while `vc cat` writes to a reader that does not read (a pager
 * waiting, `| pv -L`, a full pipe): it went on writing, ignoring the
 * interrupt, and either was cut short after the 5 s grace period with
 * nothing said, or, when the reader went away meanwhile (killed by the same
 * Ctrl-C), exited 0 as if it had written everything. It now stops at once
 * as any interrupted command does: exit 130 and `vc: cat interrupted`.
 */
import { join } from "node:path";
import { childEnv, vcCommand } from "./cli_process.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test({
  name: "vc cat: Ctrl-C while stdout's reader does not read exits 130 at once",
  ignore: Deno.build.os === "windows", // SIGINT to a child
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cat_interrupt_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      // Far more than a pipe holds, so the writes block once it is full.
      await Deno.writeFile(join(dir, "big.bin"), new Uint8Array(8 * 1024 * 1024));
      await Deno.writeTextFile(
        join(dir, "versioned_assets.json"),
        JSON.stringify({ "/big.bin": "./big.bin" }),
      );
      const env = childEnv(dir, { VC_BUCKET: "./bucket" });
      const child = vcCommand(dir, env, ["cat", "/big.bin"], 60_000).spawn();
      const stderr = new Response(child.stderr).text();
      // The first bytes: the command runs, its signal handlers in place. Then
      // nothing more is read, and the pipe fills.
      const reader = child.stdout.getReader();
      const first = await reader.read();
      assert(!first.done && first.value.length > 0, "no output");
      await new Promise((r) => setTimeout(r, 300));
      const sent = performance.now();
      child.kill("SIGINT");
      // The reader goes away a moment later, as one killed by the same Ctrl-C.
      await new Promise((r) => setTimeout(r, 1_000));
      await reader.cancel();
      const { code } = await child.status;
      const elapsed = performance.now() - sent;
      const err = await stderr;
      assertEquals(code, 130, err);
      assert(err.includes("vc: cat interrupted"), err);
      // Not the 5 s grace period after which a stuck command is cut short
      // (with nothing said): any exit before it is the interrupt's own.
      assert(elapsed < 5_000, `took ${Math.round(elapsed)} ms`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
