/**
 * A size flag given a fraction of a byte (`vc cache prune --max-size 0.5`,
 * meant as 0.5 GB with the unit left out) was rounded down without a word:
 * to 0 bytes, which pruned the whole cache. `--parallel-threshold` and
 * `--range-size` (and their variables and file keys) refused such a size;
 * the other size flags (`--max-size`, `--max-bytes`, `vc serve`'s) now do
 * too, through the one parser of size flags, before anything is touched.
 */
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { parseSize } from "../src/cli/units.ts";
import { UsageError } from "../src/cli/errors.ts";

Deno.test("parseSize: a size that is not whole bytes is refused, naming the flag and the value", () => {
  for (const text of ["0.5", "1.5", "100.5B"]) {
    const e = assertThrows(() => parseSize(text, "--max-size"), UsageError);
    assert(e.message.includes("--max-size") && e.message.includes(`"${text}"`), e.message);
    assert(e.message.includes("whole number of bytes"), e.message);
  }
  // A bare fraction is most likely a unit left out: the hint shows it with one.
  const bare = assertThrows(() => parseSize("0.5", "--max-size"), UsageError);
  assert(bare.hint?.includes("0.5GB"), bare.hint);
  // Fractions of a unit that make whole bytes stay sizes.
  assertEquals(parseSize("0.5GB", "--max-size"), 500_000_000);
  // A fraction of a unit above the byte is rounded down to whole bytes.
  assertEquals(parseSize("1.2GiB", "--max-size"), 1288490188);
  assertEquals(parseSize("1.0001KB", "--max-size"), 1000);
  assertEquals(parseSize("1.5 GiB", "--max-size"), 1.5 * 2 ** 30);
  assertEquals(parseSize("4.35KB", "--max-size"), 4350);
});

Deno.test("vc cache prune --max-size 0.5: refused (exit 2), nothing removed", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("bucket/x.csv", "a,b\n1,2\n");
  const uri = pathToFileURL(file).href;
  assertEquals((await ws.run(["cache", "get", uri])).code, 0);
  const prune = await ws.run(["cache", "prune", "--max-size", "0.5"]);
  assertFailure(prune, 2, "--max-size", '"0.5"', "whole number of bytes");
  const ls = await ws.run(["cache", "ls", "--json"]);
  assertEquals(ls.code, 0, ls.stderr);
  assert(ls.stdout.includes("x.csv"), `the cached file was removed: ${ls.stdout}`);
});

Deno.test("vc serve and cache-client: a size flag that is not whole bytes is a usage error", async () => {
  await using ws = await CliWorkspace.create();
  const token = await ws.run([
    "serve",
    "add-token",
    "alice",
    "--token-file",
    ws.path("tokens.json"),
  ]);
  assertEquals(token.code, 0, token.stderr);
  // No store there: a size flag taken would fail on it (exit 1), not serve on.
  const store = pathToFileURL(ws.path("no-store")).href;
  for (
    const [args, flag] of [
      [[
        "serve",
        "--store",
        store,
        "--token-file",
        ws.path("tokens.json"),
        "--max-upload-bytes",
        "1.5",
      ], "--max-upload-bytes"],
      [
        [
          "serve",
          "--store",
          store,
          "--token-file",
          ws.path("tokens.json"),
          "--upload-min-rate=0.5",
        ],
        "--upload-min-rate",
      ],
      [[
        "cache-client",
        "get",
        "a".repeat(128),
        "-",
        "--url",
        "http://127.0.0.1:9",
        "--max-bytes",
        "2.5",
      ], "--max-bytes"],
    ] as const
  ) {
    const r = await ws.run([...args], { VC_CACHE_TOKEN: "t" });
    assertFailure(r, 2, flag, "whole number of bytes");
  }
});
