/**
 * A flag that does something only beside another (`vc repo get ID
 * --cache-dir DIR`, which downloads nothing without `--to` or `--local`;
 * `vc mirror --debounce` without `--watch`) was taken and ignored: the
 * record printed, exit 0, the cache dir never used. The parser refuses it,
 * naming every such flag and the flags it goes with, for every command that
 * declares it (`OptionSpec.onlyWith`).
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { parseCommandArgs } from "../src/cli/args.ts";
import { UsageError } from "../src/cli/errors.ts";

const SPEC = {
  command: "t",
  options: {
    to: { type: "string" as const, description: "to" },
    local: { type: "boolean" as const, description: "local" },
    "cache-dir": { type: "string" as const, description: "dir", onlyWith: ["to", "local"] },
    "range-size": { type: "string" as const, description: "size", onlyWith: ["to", "local"] },
  },
  positionals: ["ID"],
  required: 1,
};

Deno.test("parseCommandArgs: a flag given without any of its onlyWith flags is refused, naming them", () => {
  const e = assertThrows(
    () => parseCommandArgs(["1", "--cache-dir", "d", "--range-size=8MiB"], SPEC),
    UsageError,
  );
  assertEquals(e.message, "--cache-dir and --range-size only apply with --to or --local");
  // With one of them, or under --help, all is well.
  parseCommandArgs(["1", "--cache-dir", "d", "--local"], SPEC);
  parseCommandArgs(["1", "--cache-dir", "d", "--to", "f"], SPEC);
  parseCommandArgs(["--cache-dir", "d", "--help"], SPEC);
});

Deno.test("vc repo get ID --cache-dir DIR without --to or --local: a usage error, nothing ignored", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["repo", "init"], env), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout.trim();

    const r = await vc(["repo", "get", id, "--cache-dir", "own-cache"], env);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, "--cache-dir only applies with --to or --local");
    assertEquals(r.stdout, "");
  });
});

Deno.test("vc repo get --local: a cached path holding a newline is refused as a line, exact in --json", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["repo", "init"], env), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], env), "add").stdout.trim();
    const cacheDir = join(dir, "cache\nfake");

    // Printed inert, the line named another path (`…/cache\nfake/…`), exit 0.
    const line = await vc(["repo", "get", id, "--local", "--cache-dir", cacheDir], env);
    assertEquals(line.code, 1, line.stderr);
    assertEquals(line.stdout, "");
    assertStringIncludes(line.stderr, "control character");
    assertStringIncludes(line.stderr, "--json");

    const json = ok(
      await vc(["repo", "get", id, "--local", "--cache-dir", cacheDir, "--json"], env),
      "get --local --json",
    );
    const path: string = JSON.parse(json.stdout).path;
    assertEquals(path.startsWith(cacheDir + "/"), true, path);
    assertEquals(await Deno.readTextFile(path), "a,b\n");
  });
});

Deno.test("vc mirror: download tuning uploading, --cache-dir beside --state, --debounce without --watch are refused", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    await Deno.mkdir(join(dir, "data"));
    await Deno.writeTextFile(join(dir, "data", "a"), "a");
    const bucket = `file://${join(dir, "bucket")}`;

    const tuning = await vc(["mirror", "data", bucket, "--range-size", "8MiB"]);
    assertEquals(tuning.code, 2, tuning.stderr);
    assertStringIncludes(
      tuning.stderr,
      "--range-size only applies when the SOURCEs are store URIs (a download)",
    );

    const cacheDir = await vc([
      "mirror",
      "data",
      bucket,
      "--state",
      "s.sqlite",
      "--cache-dir",
      "c",
    ]);
    assertEquals(cacheDir.code, 2, cacheDir.stderr);
    assertStringIncludes(cacheDir.stderr, "--cache-dir only applies without --state");

    const debounce = await vc([
      "mirror",
      "data",
      bucket,
      "--debounce",
      "2s",
      "--reconcile-interval=1h",
    ]);
    assertEquals(debounce.code, 2, debounce.stderr);
    assertStringIncludes(
      debounce.stderr,
      "--debounce and --reconcile-interval only apply with --watch",
    );
    // Nothing was mirrored by any of them.
    assertEquals([...Deno.readDirSync(join(dir, "bucket"))].length, 0);
  });
});
