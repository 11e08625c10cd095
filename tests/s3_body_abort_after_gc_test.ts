/**
 * A large S3 body over fetch is streamed under an idle-read guard that ends a
 * stalled read by aborting the request's signal. Deno's fetch hears that
 * signal through the Request's own signal, which ours reaches only weakly:
 * once `get` has returned and the Response is unreachable, a garbage
 * collection dropped it, and the abort (the guard's, or the caller's) never
 * reached the read. A stalled body then hung forever (a CI run under load:
 * "hung: still pending after 20000 ms" in s3_timeout_test.ts). The check
 * runs in a child with `--v8-flags=--expose-gc` (the test runner has no
 * `gc()`), which collects garbage before reading.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const CHILD = fileURLToPath(
  new URL("./fixtures/s3_body_abort_after_gc_child.ts", import.meta.url),
);

Deno.test("S3Store over fetch: a stalled body still times out, and still hears the caller's abort, after a garbage collection", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", CHILD],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(stderr);
  assertEquals(code, 0, err);
  const result = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  assertEquals(result, {
    idle: "timeout naming the endpoint",
    abort: "aborted by the caller",
  });
});
