/**
 * The follow-up line plain output prints under a usage error (`vc: did you
 * mean "add"?`, `vc: pass --bucket or set VC_BUCKET…`) was lost with
 * `--json`: the error document held the message alone, so a script or an
 * editor integration reading stdout never saw the fix. It is now the
 * document's `hint`, present when there is one, and README's shape of the
 * error document names it.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

interface ErrorDoc {
  error: { name: string; kind: string; message: string; exitCode: number; hint?: string };
}

// The `vc: …` line plain output prints after the message, if any (after
// the help a usage error before any command prints first).
function plainHint(stderr: string): string | undefined {
  const lines = stderr.trimEnd().split("\n");
  const at = lines.findIndex((l) => l.startsWith("vc: "));
  const next = lines[at + 1];
  return at >= 0 && next?.startsWith("vc: ") ? next.slice(4) : undefined;
}

Deno.test("--json error document carries the hint plain output prints, for every command", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("o.csv", "a\n");
  const cases: { args: string[]; hint: boolean }[] = [
    { args: ["ad"], hint: true },
    { args: ["path", "/o.csv", "--verison", "1.0.0"], hint: true },
    { args: ["add", "/x.csv", file], hint: true }, // no bucket
    { args: ["update", "/o.csv", "--mjor"], hint: true },
    { args: ["verify", "--jsno"], hint: true },
    { args: ["versions", "/o.csv", "--bukcet", ws.bucket], hint: true },
    { args: ["ls", "--lmit", "3"], hint: false },
    { args: ["path", "/o.csv", "1.0"], hint: false }, // a bad version: no follow-up line
  ];
  for (const { args, hint } of cases) {
    const plain = await ws.run(args);
    const json = await ws.run([...args, "--json"]);
    assertEquals(json.code, plain.code, `${args.join(" ")}: ${json.stderr}`);
    const doc = json.json<ErrorDoc>();
    const expected = plainHint(plain.stderr);
    assertEquals(expected !== undefined, hint, `${args.join(" ")}: ${plain.stderr}`);
    assertEquals(doc.error.hint, expected, `${args.join(" ")}: ${json.stdout}`);
    // Absent, not null or empty, when there is none.
    assertEquals(Object.hasOwn(doc.error, "hint"), hint, json.stdout);
  }
});

Deno.test("--json error document: a hint before any command is carried too", async () => {
  const io = memoryIo({ env: { HOME: "/nonexistent" } });
  const code = await runCli(["--jsno", "--json"], io);
  assertEquals(code, 2);
  const doc = JSON.parse(io.stdout()) as ErrorDoc;
  assertEquals(doc.error.hint, plainHint(io.stderr()));
  assert(doc.error.hint !== undefined, io.stderr());
});

Deno.test("README's error document shape names every key the document may hold", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  // Each shape spelled out (not a `{"error": {…}}` that refers to one).
  const shapes = [...readme.matchAll(/\{"error": \{([^}]*)\}\}/g)].map((m) =>
    new Set([...m[1]!.matchAll(/"([A-Za-z]+)"/g)].map((k) => k[1]!))
  ).filter((keys) => keys.size > 0);
  assert(shapes.length >= 2, "README shows the error document in its JSON sections");
  for (const keys of shapes) {
    for (const key of ["name", "kind", "message", "exitCode", "hint"]) {
      assert(keys.has(key), `README's error document shape lacks "${key}": ${[...keys]}`);
    }
  }
});
