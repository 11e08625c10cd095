/**
 * `LogBuffer`, the batched log sink of `vc serve`: lines wait at most the
 * delay (on an injected clock), a full buffer is written at once, each line
 * stays whole and in order, and `flush` writes what waits.
 */
import { LogBuffer } from "../src/server/log.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assertEquals } from "./assert.ts";

Deno.test("LogBuffer: lines are written together once the delay passed, in order", async () => {
  const clock = new ManualClock();
  const written: string[] = [];
  const buffer = new LogBuffer((t) => written.push(t), { clock, maxDelayMs: 50 });
  buffer.line('{"n":1}');
  buffer.line('{"n":2}');
  await clock.advance(49);
  assertEquals(written, []);
  await clock.advance(1);
  assertEquals(written, ['{"n":1}\n{"n":2}\n']);
  // The next line starts a new delay.
  buffer.line('{"n":3}');
  await clock.advance(49);
  assertEquals(written.length, 1);
  await clock.advance(1);
  assertEquals(written, ['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
});

Deno.test("LogBuffer: a full buffer is written at once; flush writes the rest and cancels the wait", async () => {
  const clock = new ManualClock();
  const written: string[] = [];
  const buffer = new LogBuffer((t) => written.push(t), { clock, maxBytes: 20 });
  buffer.line("a".repeat(10)); // 11 bytes with its newline
  assertEquals(written, []);
  buffer.line("b".repeat(10)); // 22: over the limit
  assertEquals(written, [`${"a".repeat(10)}\n${"b".repeat(10)}\n`]);
  buffer.line("c");
  buffer.flush();
  assertEquals(written.at(-1), "c\n");
  buffer.flush(); // nothing waits: no empty write
  await clock.advance(1_000);
  assertEquals(written.length, 2);
});
