/**
 * The process that ends a command at once (the grace of a Ctrl-C over, or a
 * second signal) says so in its last line and, with `--json`, in the error
 * document of that interrupt. The command may still reach its own end in
 * the second that document is given: it then said its failure a second
 * time, after the process's last line, and put a second JSON document on
 * stdout. A command whose own end had already said its failure (its
 * document still being written) got the process's line and document after
 * its own. Either way stdout was no single JSON document and the last line
 * not the one that said how the command ended.
 */
import { assertEquals, assertMatch } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli, sayCutShort } from "../src/cli/main.ts";

const CUT = "nope interrupted: ended at once, by a second signal";

Deno.test("a command ended at once says nothing more when its own end comes after", async () => {
  const io = memoryIo();
  // Its failure is said once the dispatch's rejection is awaited: after the cut.
  const ran = runCli(["nope", "--json"], io);
  assertEquals(await sayCutShort(CUT), true);
  await ran;
  const doc = JSON.parse(io.stdout());
  assertEquals([doc.error.message, doc.error.exitCode], [CUT, 130]);
  assertEquals(io.stderr().includes("unknown command"), false, io.stderr());
});

Deno.test("a command whose own end said its failure is not said ended at once after it", async () => {
  const mem = memoryIo();
  let release = (): void => {};
  const held = new Promise<void>((r) => release = r);
  let writing = (): void => {};
  const written = new Promise<void>((r) => writing = r);
  // stdout not read until released: the command's own document is in flight.
  const io = {
    ...mem,
    writeStdout: async (data: Uint8Array) => {
      writing();
      await held;
      await mem.writeStdout(data);
    },
  };
  const ran = runCli(["nope", "--json"], io);
  await written;
  const stderrBefore = mem.stderr();
  const cut = sayCutShort(CUT);
  release();
  const [, saidIt] = await Promise.all([ran, cut]);
  assertEquals(saidIt, false, "the command's own end said it");
  assertEquals(mem.stderr(), stderrBefore);
  const doc = JSON.parse(mem.stdout());
  assertMatch(doc.error.message, /unknown command/);
});
