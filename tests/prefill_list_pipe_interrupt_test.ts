/**
 * Ctrl-C while `vc prefill` reads a list from a pipe whose writer is still
 * running (`--list -` behind a slow `aws s3api list-objects-v2`, or a named
 * pipe): the read stops at once, and the run ends as any interrupted one
 * does (exit 130, `vc: prefill interrupted`, the JSON error document), rather than
 * waiting for the writer and then being cut short after the grace period
 * with nothing said and nothing on stdout.
 */
import { join } from "node:path";
import { childEnv, vcCommand } from "./cli_process.ts";
import { assert, assertEquals } from "./assert.ts";
import { listEntries } from "../src/prefill/mod.ts";

Deno.test("listEntries: a signal stops a read of a list that waits for more", async () => {
  // A stream that never ends, as a pipe whose writer goes on.
  const stdin = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode("s3://b/k\n"));
    },
  });
  const controller = new AbortController();
  const reading = listEntries("-", { stdin, signal: controller.signal });
  setTimeout(() => controller.abort(new DOMException("interrupted", "AbortError")), 20);
  const error = await reading.then(() => undefined, (e: unknown) => e);
  assert(error instanceof DOMException && error.name === "AbortError", String(error));
});

Deno.test({
  name: "vc prefill: Ctrl-C during the read of a list from a pipe exits 130 at once",
  ignore: Deno.build.os === "windows", // mkfifo
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_prefill_pipe_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      const fifo = join(dir, "list.fifo");
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert(made.success, "mkfifo");
      const child = vcCommand(dir, childEnv(dir), ["prefill", "--list", fifo, "--json"]).spawn();
      const output = child.output();
      // Opening the pipe for writing returns once the prefill has opened it
      // to read (its signal handlers are in place by then); the writer stays.
      using writer = await Deno.open(fifo, { write: true });
      await writer.write(new TextEncoder().encode("s3://b/k\n"));
      const sent = performance.now();
      child.kill("SIGINT");
      const { code, stdout, stderr } = await output;
      const elapsed = performance.now() - sent;
      const err = new TextDecoder().decode(stderr);
      assertEquals(code, 130, err);
      assert(err.includes("vc: prefill interrupted"), err);
      const doc = JSON.parse(new TextDecoder().decode(stdout)) as {
        error: { name: string; exitCode: number };
      };
      assertEquals(doc.error.name, "AbortError");
      assertEquals(doc.error.exitCode, 130);
      // Not the 5 s grace period after which a stuck command is cut short.
      assert(elapsed < 4_000, `took ${Math.round(elapsed)} ms`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
