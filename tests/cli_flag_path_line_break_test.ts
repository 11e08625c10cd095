/**
 * A flag or argument naming a local path with a line break at an end
 * (`--cache-dir "$DIR"` where DIR came from a CRLF file, a YAML block's
 * `\n`) made a directory `cache\r` beside the one meant, as VC_CACHE_DIR
 * did before it was refused: now a usage error naming the value meant,
 * creating nothing. A space at an end may be typed as meant: still taken.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("a path flag or DEST with a line break at an end is a usage error naming the path meant, making nothing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}");
  const before = await names(ws.dir);
  for (
    const [args, shown] of [
      [["config", "--cache-dir", "cc\r"], '--cache-dir "cc\\r"'],
      [["path", "/a.txt", "--cache-dir", "cc\n"], '--cache-dir "cc\\n"'],
      [["sync", "out\r\n"], 'DEST "out\\r\\n"'],
      [["lock", "--lock", "l.json\n"], '--lock "l.json\\n"'],
      [
        ["verify", "--manifest", "versioned_assets.json\r"],
        '--manifest "versioned_assets.json\\r"',
      ],
    ] as const
  ) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, `${shown} ends with whitespace (a line break`);
  }
  assertEquals(await names(ws.dir), before);
});

Deno.test("a path flag with a space at an end is taken as typed", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.vc("config", "--cache-dir", "cc ", "--json");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "cc ");
});
