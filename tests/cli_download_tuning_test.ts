/**
 * The download's parallel threshold and range size as settings:
 * `--parallel-threshold` / `--range-size`, `VC_PARALLEL_THRESHOLD` /
 * `VC_RANGE_SIZE`, `parallelThreshold` / `rangeSize` in the config file
 * (flag > env > file > default), sizes with units, each bad value refused
 * naming its input. The library had the options; the command line had no
 * way to set them.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";

const MiB = 2 ** 20;

interface Row {
  name: string;
  value: unknown;
  source: string;
}

function row(rows: Row[], name: string): Row {
  const found = rows.find((r) => r.name === name);
  assert(found !== undefined, name);
  return found;
}

Deno.test("download tuning settings: flag > env > config file > default, with units", async () => {
  await using ws = await CliWorkspace.create();
  const configFile = await ws.write(
    "home/vc.json",
    '{ "parallelThreshold": "1MiB", "rangeSize": 262144 }',
  );
  const config = async (env: Record<string, string>, ...flags: string[]) => {
    const r = await ws.run(["config", "--bucket", ws.bucket, "--json", ...flags], env);
    assertEquals(r.code, 0, r.stderr);
    return r.json<Row[]>();
  };
  let rows = await config({});
  assertEquals(row(rows, "parallelThreshold"), {
    name: "parallelThreshold",
    value: 32 * MiB,
    source: "default",
  });
  assertEquals(row(rows, "rangeSize").value, 8 * MiB);
  rows = await config({ VC_CONFIG: configFile });
  assertEquals(row(rows, "parallelThreshold").value, MiB);
  assertEquals(row(rows, "parallelThreshold").source, `config ${configFile}`);
  assertEquals(row(rows, "rangeSize").value, 256 * 1024);
  rows = await config({ VC_CONFIG: configFile, VC_PARALLEL_THRESHOLD: "64MB", VC_RANGE_SIZE: "" });
  assertEquals(row(rows, "parallelThreshold").value, 64_000_000);
  assertEquals(row(rows, "parallelThreshold").source, "env VC_PARALLEL_THRESHOLD");
  assertEquals(row(rows, "rangeSize").source, `config ${configFile}`); // empty: unset
  rows = await config(
    { VC_CONFIG: configFile, VC_PARALLEL_THRESHOLD: "64MB" },
    "--parallel-threshold",
    "2GiB",
    "--range-size=16MiB",
  );
  assertEquals(row(rows, "parallelThreshold").value, 2 * 1024 * MiB);
  assertEquals(row(rows, "parallelThreshold").source, "flag --parallel-threshold");
  assertEquals(row(rows, "rangeSize").value, 16 * MiB);
  assertEquals(row(rows, "rangeSize").source, "flag --range-size");
  // The text form shows bytes, not seconds.
  const text = await ws.run(["config", "--bucket", ws.bucket, "--range-size", "1MiB"]);
  assert(/rangeSize\s+1048576 B\s+flag --range-size/.test(text.stdout), text.stdout);
});

Deno.test("download tuning settings: a bad value is refused naming its input", async () => {
  await using ws = await CliWorkspace.create();
  const path = (flags: string[], env: Record<string, string> = {}) =>
    ws.run(["path", "/a.csv", "--bucket", ws.bucket, ...flags], env);
  assertFailure(await path(["--range-size", "8"]), 2, "--range-size", "at least 65536", "got 8");
  assertFailure(await path(["--parallel-threshold", "lots"]), 2, "--parallel-threshold", "lots");
  assertFailure(
    await path(["--parallel-threshold", "99999999999TB"]),
    2,
    "--parallel-threshold",
    "too large",
  );
  assertFailure(await path([], { VC_RANGE_SIZE: "8" }), 1, "VC_RANGE_SIZE", "say 8MiB");
  assertFailure(await path([], { VC_PARALLEL_THRESHOLD: "1.5x" }), 1, "VC_PARALLEL_THRESHOLD");
  for (
    const [text, parts] of [
      ['{"rangeSize": true}', ['"rangeSize" must be a number of bytes', "true"]],
      ['{"rangeSize": 1024}', ['"rangeSize"', "at least 65536"]],
      ['{"parallelThreshold": -1}', ['"parallelThreshold"', "got -1"]],
      ['{"parallelThreshold": 1.5}', ['"parallelThreshold"', "whole number"]],
      ['{"parallelThreshold": "12 furlongs"}', ['"parallelThreshold"', "12 furlongs"]],
    ] as const
  ) {
    const file = await ws.write("home/bad.json", text);
    assertFailure(await path([], { VC_CONFIG: file }), 1, file, ...parts);
  }
});

Deno.test("download tuning settings: the ranged GETs follow them", async () => {
  await withRangedS3(async ({ ws, env, ranges, data }) => {
    const run = (args: string[], extra: Record<string, string> = {}) =>
      ws.run([...args, "--bucket", "s3://assets"], { ...env, ...extra });
    assertEquals((await run(["add", "/big.bin", "big.bin"])).code, 0);
    // Below the default threshold: one plain GET.
    const cold = await run(["path", "/big.bin", "--cache-dir", join(ws.dir, "c1")]);
    assertEquals(cold.code, 0, cold.stderr);
    assertEquals(ranges.filter((r) => r !== "bytes=0-").length, 0, ranges.join());
    // From the environment: 256 KiB ranges of a 1 MiB object (the first GET
    // serves the first range without a Range header).
    ranges.length = 0;
    const tuned = await run(["path", "/big.bin", "--cache-dir", join(ws.dir, "c2")], {
      VC_PARALLEL_THRESHOLD: "512KiB",
      VC_RANGE_SIZE: "256KiB",
    });
    assertEquals(tuned.code, 0, tuned.stderr);
    assertEquals(await Deno.readFile(tuned.stdout.trim()), data);
    // In flight together: they may reach the store in any order.
    assertEquals(ranges.toSorted(), [
      "bytes=262144-524287",
      "bytes=524288-786431",
      "bytes=786432-1048575",
    ]);
    // The flag wins over the environment.
    ranges.length = 0;
    const flagged = await run(
      ["path", "/big.bin", "--cache-dir", join(ws.dir, "c3"), "--range-size", "512KiB"],
      { VC_PARALLEL_THRESHOLD: "512KiB", VC_RANGE_SIZE: "256KiB" },
    );
    assertEquals(flagged.code, 0, flagged.stderr);
    assertEquals(ranges, ["bytes=524288-1048575"]);
  });
});

Deno.test("download tuning settings: every command that downloads follows them", async () => {
  // 1 MiB in 256 KiB ranges: the first GET serves the first range, three more follow.
  const quarters = ["bytes=262144-524287", "bytes=524288-786431", "bytes=786432-1048575"];
  const tuning = { VC_PARALLEL_THRESHOLD: "512KiB", VC_RANGE_SIZE: "256KiB" };
  await withRangedS3(async ({ ws, env, ranges, data }) => {
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      ranges.length = 0;
      const r = await ws.run(args, { ...env, ...extra });
      assertEquals(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      return r;
    };
    const bucket = ["--bucket", "s3://assets"];
    await run(["add", "/big.bin", "big.bin", ...bucket]);

    // vc mirror, store → directory: from the environment, then the flag.
    await run(["mirror", "s3://assets", join(ws.dir, "m1")], tuning);
    assertEquals(ranges.toSorted(), quarters, "mirror (env)");
    assertEquals(await Deno.readFile(join(ws.dir, "m1", "big.1.0.0.bin")), data);
    await run(
      ["mirror", "s3://assets", join(ws.dir, "m2"), "--parallel-threshold", "512KiB"],
      { VC_RANGE_SIZE: "256KiB" },
    );
    assertEquals(ranges.toSorted(), quarters, "mirror (flag)");

    // vc lock --check downloads beside the cache (`vc add` wrote the entry).
    await run(["lock", "--check", ...bucket, "--range-size", "512KiB"], {
      VC_PARALLEL_THRESHOLD: "512KiB",
    });
    assertEquals(ranges, ["bytes=524288-1048575"], "lock --check");

    // vc repo get --to: through the asset cache, with the flags of its own.
    const repo = { VC_REPO: "s3://assets/repo" };
    await run(["repo", "init", "--catalog", `sqlite:${join(ws.dir, "catalog.sqlite")}`], repo);
    const id = (await run(["repo", "add", "/data/big.bin", "big.bin"], repo)).stdout.trim();
    await run(["repo", "get", id, "--to", "r1.bin"], {
      ...repo,
      ...tuning,
      VC_CACHE_DIR: join(ws.dir, "c2"),
    });
    assertEquals(ranges.toSorted(), quarters, "repo get (env)");
    assertEquals(await Deno.readFile(join(ws.dir, "r1.bin")), data);
    await run(
      ["repo", "get", id, "--to", "r2.bin", "--parallel-threshold=512KiB", "--range-size=512KiB"],
      { ...repo, VC_CACHE_DIR: join(ws.dir, "c3") },
    );
    assertEquals(ranges, ["bytes=524288-1048575"], "repo get (flags)");
  });
});

/**
 * Runs `fn` with a fake S3 whose ranged GETs are collected in `ranges`, its
 * credentials in the process environment, and a workspace holding
 * `big.bin` (1 MiB, `data`).
 */
async function withRangedS3(
  fn: (
    context: { ws: CliWorkspace; env: Record<string, string>; ranges: string[]; data: Uint8Array },
  ) => Promise<void>,
): Promise<void> {
  const ranges: string[] = [];
  await using s3 = await startFakeS3({
    buckets: ["assets"],
    onRequest: (e) => {
      if (e.method === "GET" && e.headers.range !== undefined) ranges.push(e.headers.range);
    },
  });
  await using ws = await CliWorkspace.create();
  const env = testAwsEnv(s3.url);
  await withProcessEnv(env, async () => {
    const data = new Uint8Array(MiB).map((_, i) => i % 251);
    await Deno.writeFile(join(ws.dir, "big.bin"), data);
    await fn({ ws, env, ranges, data });
  });
}
