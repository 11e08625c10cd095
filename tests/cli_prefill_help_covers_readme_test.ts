/**
 * `vc prefill --help` is what a CI user reads when a job fails, and it left
 * out what the README's Prefill section says they meet there: the exit code
 * of a job cancelled at its timeout (130, SIGTERM, run it again to finish),
 * where the summary and the failures go (stdout; stderr, the first 20 then a
 * count; `--json` all of them with file, line and kind), the plain progress
 * line every 30 s in a CI log, that a `#` after an item is part of its key
 * (only whole-line comments are ignored: "# comments are ignored" read as if
 * `s3://b/k # note` were `s3://b/k`), CRLF lines and a byte order mark, that
 * an item is one object and never a prefix, and the range of --concurrency.
 * With --list and --manifest both, the manifest's entries are fetched too,
 * and a pre-release after `@` is a version, as the README says.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { readListEntries } from "../src/prefill/mod.ts";

Deno.test("cli prefill --help: says what the README's Prefill section tells a CI user", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["prefill", "--help"]);
  // Wrapped lines read as one text.
  const help = r.stdout.replace(/\s+/g, " ");
  for (
    const phrase of [
      "exit code is 1 if there was one",
      "exit code 130",
      "SIGTERM",
      "run it again to finish",
      "first 20",
      "--json lists them all",
      "every 30 s",
      "a # after an item is part of it",
      "CRLF",
      "byte order mark",
      "never a prefix",
      "1 to 1024",
      "bytes",
      "its entries are fetched as well",
      "2.0.0-rc.1",
    ]
  ) assertStringIncludes(help, phrase);
});

Deno.test("readListEntries: a Windows list on stdin (BOM, CRLF, comments, blanks), as the help says", async () => {
  const text = "\uFEFF# assets\r\n\r\ns3://b/k1.bin\r\n  # indented\r\n\t\r\n/a.csv@1.0.0\r\n" +
    "s3://b/k#2.bin\r\n";
  const entries = await readListEntries("-", {
    stdin: ReadableStream.from([new TextEncoder().encode(text)]),
  });
  assertEquals(entries.map((e) => `${e.line} ${e.item}`), [
    "3 s3://b/k1.bin",
    "6 /a.csv@1.0.0",
    "7 s3://b/k#2.bin",
  ]);
});
