/**
 * `vc merge-driver` exiting 1 said why in every mode but two: a side it
 * could not read (a comma typed after the last entry) was said as a warning,
 * which `--quiet` drops, so the driver left both sides between markers and
 * exited 1 with nothing on stdout or stderr; and with `--json` stdout was
 * empty, no JSON document. Its conflicts with `--json` were in the document
 * alone, nothing on stderr for the log a CI merge keeps. Each is said now.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const BASE = '{\n    "/a.csv": "1.0.0"\n}\n';
const UNREADABLE = '{\n    "/a.csv": "1.0.1",\n}\n';
const THEIRS = '{\n    "/a.csv": "1.1.0"\n}\n';

async function sides(ws: CliWorkspace, ours: string) {
  return [
    await ws.write("base", BASE),
    await ws.write("ours", ours),
    await ws.write("theirs", THEIRS),
  ];
}

Deno.test("merge-driver --quiet: a side it cannot read is said on stderr, exit 1", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["merge-driver", ...await sides(ws, UNREADABLE), "--quiet"]);
  assertEquals(r.code, 1);
  assertStringIncludes(
    r.stderr,
    "cannot merge entry by entry, both sides left whole between conflict markers",
  );
  assertStringIncludes(await ws.read("ours"), "<<<<<<< ours (vc merge-driver)");
});

Deno.test("merge-driver --json: a side it cannot read is a JSON error document on stdout", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["merge-driver", ...await sides(ws, UNREADABLE), "--json"]);
  assertEquals(r.code, 1);
  const doc = r.json<{ error: { kind: string; exitCode: number; message: string } }>();
  assertEquals(doc.error.kind, "InvalidInputError");
  assertEquals(doc.error.exitCode, 1);
  assertStringIncludes(doc.error.message, "a comma after the last entry");
  assertStringIncludes(r.stderr, "both sides left whole between conflict markers");
});

Deno.test("merge-driver --json: each conflict is also a line on stderr", async () => {
  await using ws = await CliWorkspace.create();
  const ours = '{\n    "/a.csv": "1.0.1"\n}\n';
  const r = await ws.run(["merge-driver", ...await sides(ws, ours), "--json"]);
  assertEquals(r.code, 1);
  assertEquals(r.json<{ conflicts: string[] }>().conflicts.length, 1);
  assertStringIncludes(r.stderr, 'conflict: /a.csv: "1.0.1" here, "1.1.0" there');
});
