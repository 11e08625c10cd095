/**
 * A test's child script run with `gc()` exposed (`--v8-flags=--expose-gc`),
 * for what holds only across a garbage collection: what it found is the
 * last line of its stdout, as JSON.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

/**
 * Runs the fixture `name` (under tests/fixtures/) with `gc()` exposed and
 * `args` on its command line, asserts it exited 0 (its stderr the
 * message), and returns the JSON of its last stdout line.
 */
export async function gcChildResult<T = unknown>(name: string, ...args: string[]): Promise<T> {
  const child = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", child, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!) as T;
}
