/**
 * Binary content is not written to a terminal: a NUL byte in its first 8000
 * bytes (git's test). Only the first chunk's were looked at, so content
 * streamed in small chunks (`vc cache-client get ID` reads a response as
 * the network hands it over) went to the terminal when its first chunk
 * happened to be short and free of NULs: a PNG's 8-byte signature, say.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { Output } from "../src/cli/output.ts";
import { writeOut } from "../src/cli/write_out.ts";
import { UsageError } from "../src/cli/errors.ts";

const CONTENT = { what: "the file", toFile: "vc get /f FILE", command: "get" };

function terminal() {
  const io = memoryIo({ stdoutIsTerminal: true });
  return { io, ctx: { io, out: new Output(io) } as never };
}

Deno.test("binary content in small chunks is not written to a terminal", async () => {
  const { io, ctx } = terminal();
  const chunks = [new Uint8Array([0x89, 0x50, 0x4e, 0x47]), new Uint8Array([0x0d, 0, 0, 0x1b])];
  await assertRejects(
    () => writeOut(ctx, chunks, { label: "x", progress: (b) => b.onBytes, content: CONTENT }),
    UsageError,
    "the file is binary",
  );
  assertEquals(io.stdoutBytes().length, 0);
});

Deno.test("text in small chunks is written to a terminal whole", async () => {
  const { io, ctx } = terminal();
  const text = ["a", "b\n", "", "c".repeat(9000), "d"];
  const chunks = text.map((t) => new TextEncoder().encode(t));
  await writeOut(ctx, chunks, { label: "x", progress: (b) => b.onBytes, content: CONTENT });
  assertEquals(io.stdout(), text.join(""));
});

Deno.test("a NUL past the first 8000 bytes is not looked for", async () => {
  const { io, ctx } = terminal();
  const chunks = [
    new Uint8Array(4000).fill(0x61),
    new Uint8Array(4000).fill(0x62),
    new Uint8Array(2),
  ];
  await writeOut(ctx, chunks, { label: "x", progress: (b) => b.onBytes, content: CONTENT });
  assertEquals(io.stdoutBytes().length, 8002);
});
