/**
 * Scripts a test writes and runs as a child `deno run` with exactly the
 * release permission flags (scripts/permissions.ts), not `-A`: for the tests
 * of what vc does under the permissions the `vc` binary and `deno task vc`
 * run with (no look at `/proc`, for one).
 */
import { join } from "node:path";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

/** Writes `text` to `dir/name`; its path. */
export async function writeScript(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}

/**
 * Runs `script` with the release flags and `args`, no input; asserts it
 * exits 0 (its stderr the message) and returns what it printed, as printed.
 */
export async function runWithReleaseFlags(
  script: string,
  args: readonly string[] = [],
): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** A script started by {@linkcode startWithReleaseFlags}; disposing kills it. */
export interface StartedScript extends AsyncDisposable {
  readonly pid: number;
  /** Kills it with SIGKILL (once) and waits for its end. */
  kill(): Promise<void>;
}

/**
 * Starts `script` with the release flags and `args`, and waits until its
 * stdout says `ready` (failing the test when it ends without saying so).
 */
export async function startWithReleaseFlags(
  script: string,
  args: readonly string[],
  ready: string,
): Promise<StartedScript> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, script, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const text = child.stdout.pipeThrough(new TextDecoderStream());
  let ended: Promise<void> | undefined;
  const kill = () => {
    ended ??= (async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // It had ended already.
      }
      await child.status;
      await text.cancel().catch(() => {});
    })();
    return ended;
  };
  const reader = text.getReader();
  let said = "";
  try {
    while (!said.includes(ready)) {
      const { value, done } = await reader.read();
      if (done) break;
      said += value;
    }
    assertStringIncludes(said, ready);
  } catch (error) {
    reader.releaseLock();
    await kill();
    throw error;
  }
  reader.releaseLock();
  return { pid: child.pid, kill, [Symbol.asyncDispose]: kill };
}
