/**
 * Windows takes listeners for Ctrl-C (`SIGINT`) and Ctrl-Break (`SIGBREAK`)
 * only: `Deno.addSignalListener("SIGTERM", …)` throws there ("Windows only
 * supports ctrl-c (SIGINT) and ctrl-break (SIGBREAK)"). `deno task fake-s3`
 * (the README's local S3 for trying vc) and the benchmarks' fake server
 * added a SIGTERM listener unguarded, so on Windows they stopped with that
 * TypeError right after printing their URL. Every listener now takes its
 * signals from `stopSignals()` (the platform's own) or is guarded by the
 * platform; this test reads the sources, since only Linux runs the tests.
 */
import { assertEquals } from "./assert.ts";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stopSignals } from "../src/cli/process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("signal listeners: every one is a signal this platform takes (Windows: SIGINT, SIGBREAK)", async () => {
  const unguarded: string[] = [];
  for (const dir of ["src", "scripts"]) {
    for await (const file of sources(join(ROOT, dir))) {
      const lines = (await Deno.readTextFile(file)).split("\n");
      lines.forEach((line, i) => {
        if (!line.includes("Deno.addSignalListener(") || /^\s*(\*|\/\/)/.test(line)) return;
        if (/stopSignals\(/.test(line) || /Deno\.build\.os !== "windows"/.test(line)) return;
        unguarded.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  assertEquals(unguarded, []);
  for (const [signal] of stopSignals("windows")) {
    assertEquals(["SIGINT", "SIGBREAK"].includes(signal), true, signal);
  }
});
