import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { KEPT_URI, withStoreGone } from "./store_gone_run.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import {
  makeSharedTempDir,
  runDenoUnprivileged,
  UNPRIVILEGED_UNAVAILABLE,
} from "./unprivileged.ts";
import { exists } from "./path_exists.ts";
import { closedPort } from "./closed_port.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

Deno.test("cli cache: get, ls, invalidate, rm, prune, verify, dir on a file:// store", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/data/a.csv", "a\n");
  await ws.write("bucket/data/b.csv", "bb\n");
  const a = `${ws.bucket}/data/a.csv`;
  const b = `${ws.bucket}/data/b.csv`;

  const get = await ws.run(["cache", "get", a]);
  assertEquals(get.code, 0, get.stderr);
  const local = get.stdout.trim();
  assert(local.startsWith(ws.cacheDir) && local.endsWith("a.csv"), local);
  assertEquals(await Deno.readTextFile(local), "a\n");
  const again = await ws.run(["cache", "get", a, "--json", "--immutable"]);
  assertEquals(again.json(), { uri: a, local });
  assertEquals((await ws.run(["cache", "get", b, "--quiet"])).code, 0);

  const ls = await ws.run(["cache", "ls", "--json"]);
  const entries = ls.json<{ uri: string; size: number }[]>();
  assertEquals(entries.map((e) => [e.uri, e.size]).sort(), [[a, 2], [b, 3]]);
  const human = await ws.run(["cache", "ls"]);
  assertStringIncludes(human.stdout, "URI");
  assertStringIncludes(human.stdout, a);

  // The store changes behind the cache: --check-remote notices.
  await ws.write("bucket/data/a.csv", "changed\n");
  const remote = await ws.run(["cache", "ls", "--check-remote", "--json"]);
  const outdated = remote.json<{ uri: string; outdated?: boolean }[]>();
  assertEquals(outdated.find((e) => e.uri === a)?.outdated, true);
  assertEquals(outdated.find((e) => e.uri === b)?.outdated, false);
  assertStringIncludes((await ws.run(["cache", "ls", "--check-remote"])).stdout, "outdated");

  // Invalidate makes the next get revalidate, and so fetch the new content.
  assertEquals((await ws.run(["cache", "invalidate", a])).code, 0);
  const refreshed = await ws.run(["cache", "get", a]);
  assertEquals(await Deno.readTextFile(refreshed.stdout.trim()), "changed\n");

  const rm = await ws.run(["cache", "rm", b, "--json"]);
  assertEquals(rm.json(), { uri: b, removed: true });
  assertStringIncludes((await ws.run(["cache", "rm", b])).stdout, "was not cached");

  // Verify finds a corrupted copy, removes it and exits 1.
  await Deno.writeTextFile(refreshed.stdout.trim(), "garbage\n"); // same size, other bytes
  const verify = await ws.run(["cache", "verify"]);
  assertEquals(verify.code, 1, verify.stdout + verify.stderr);
  assertStringIncludes(verify.stdout, `corrupt (removed): ${a}`);
  assertEquals((await ws.run(["cache", "verify"])).code, 0);

  assertEquals((await ws.run(["cache", "get", a])).code, 0);
  const keep = await ws.run(["cache", "prune", "--older-than", "30d", "--json"]);
  assertEquals(keep.json<{ removed: unknown[] }>().removed.length, 0);
  const prune = await ws.run(["cache", "prune", "--max-size", "0B"]);
  assertEquals(prune.code, 0, prune.stderr);
  assertStringIncludes(prune.stdout, "removed 1 file, freed 8 B");
  assertEquals((await ws.run(["cache", "ls", "--json"])).json(), []);

  assertEquals((await ws.run(["cache", "dir"])).stdout, `${ws.cacheDir}\n`);
  const relative = await ws.run(["cache", "dir", "--cache-dir", "rel/cache"]);
  assertEquals(relative.stdout, `${ws.path("rel/cache")}\n`);
});

Deno.test("cli cache: usage errors for sizes, durations and missing arguments", async () => {
  await using ws = await CliWorkspace.create();
  assertFailure(await ws.run(["cache", "prune"]), 2, "give --max-size, --older-than");
  const size = await ws.run(["cache", "prune", "--max-size", "10XB"]);
  assertFailure(size, 2, '--max-size: invalid size "10XB"');
  assertStringIncludes(size.stderr, 'Run "vc cache prune --help"');
  assertFailure(await ws.run(["cache", "prune", "--older-than", "30"]), 2, '"30"');
  assertFailure(await ws.run(["cache", "get", "s3://b/k", "--timeout", "soon"]), 2, "--timeout");
  assertFailure(await ws.run(["cache", "get"]), 2, "missing URI");
  assertFailure(await ws.run(["cache", "get", "s3://b/a", "b"]), 2, 'unexpected argument "b"');
  assertFailure(await ws.run(["cache", "rm"]), 2, "missing URI");
});

Deno.test("cli cache: --timeout reads a bare number as seconds, as VC_CACHE_TIMEOUT does", async () => {
  await using ws = await CliWorkspace.create();
  // One setting from three sources: the flag once refused what the
  // environment and the config file take.
  const timeout = async (args: string[], env: Record<string, string> = {}) => {
    const r = await ws.run(["config", "--json", ...args], env);
    assertEquals(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; value: unknown }[];
    return rows.find((row) => row.name === "timeout")?.value;
  };
  assertEquals(await timeout(["--timeout", "90"]), 90);
  assertEquals(await timeout([], { VC_CACHE_TIMEOUT: "90" }), 90);
  assertEquals(await timeout(["--timeout", "2m"]), 120);
  assertEquals(await timeout(["--timeout", "0"]), 0);
  assertFailure(await ws.run(["config", "--timeout", "-5"]), 2, "--timeout");
});

Deno.test("cli cache: failures are one line naming the input", async () => {
  await using ws = await CliWorkspace.create();
  // Missing object.
  const missing = `${ws.bucket}/nothing.csv`;
  assertFailure(await ws.run(["cache", "get", missing]), 1, missing);
  // Bad URIs: malformed arguments, so usage errors (as a bad --bucket or mirror TARGET).
  assertFailure(await ws.run(["cache", "get", "ftp://x/y"]), 2, "ftp");
  assertFailure(await ws.run(["cache", "get", "s3://bad bucket/k"]), 2, "bad bucket");
  // Offline with nothing cached.
  await ws.write("bucket/x.csv", "x");
  assertFailure(await ws.run(["cache", "get", `${ws.bucket}/x.csv`, "--offline"]), 1, "x.csv");
  // A cache directory that cannot be created (under a regular file: fails even as root).
  await ws.write("not_a_dir", "");
  const blocked = await ws.run(["cache", "get", `${ws.bucket}/x.csv`], {
    VC_CACHE_DIR: ws.path("not_a_dir/cache"),
  });
  assertFailure(blocked, 1, "not_a_dir");
});

Deno.test({
  name:
    "cli cache: read-only cache directory (vc runs unprivileged, so the barrier holds as root too)",
  ignore: UNPRIVILEGED_UNAVAILABLE !== undefined,
  async fn() {
    const dir = await makeSharedTempDir("vc-cli-ro-");
    try {
      const bucket = join(dir, "bucket");
      const cacheDir = join(dir, "cache");
      await Deno.mkdir(bucket, { mode: 0o755 });
      await Deno.writeTextFile(join(bucket, "x.csv"), "x");
      await Deno.mkdir(cacheDir, { mode: 0o555 });
      const r = await runDenoUnprivileged(
        ["run", ...PERMISSION_FLAGS, CLI, "cache", "get", `${pathToFileURL(bucket).href}/x.csv`],
        { cwd: dir, env: { HOME: dir, VC_CACHE_DIR: cacheDir } },
      );
      assertFailure(r, 1, cacheDir);
      assertEquals([...Deno.readDirSync(cacheDir)], []);
    } finally {
      await Deno.chmod(join(dir, "cache"), 0o755).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("cli cache: s3:// objects through the fake S3 server", async () => {
  await using s3 = await startFakeS3({ buckets: ["data"] });
  await using ws = await CliWorkspace.create();
  await s3.putObject("data", "dir/obj.json", '{"x":1}');
  await withProcessEnv(s3.env, async () => {
    const get = await ws.run(["cache", "get", "s3://data/dir/obj.json"], s3.env);
    assertEquals(get.code, 0, get.stderr);
    assertEquals(await Deno.readTextFile(get.stdout.trim()), '{"x":1}');
    // Within the timeout: no request at all.
    s3.resetStats();
    assertEquals((await ws.run(["cache", "get", "s3://data/dir/obj.json"], s3.env)).code, 0);
    assertEquals(s3.stats.total, 0);
    // --timeout 0 revalidates with one HEAD, no download.
    const revalidate = await ws.run(
      ["cache", "get", "s3://data/dir/obj.json", "--timeout", "0"],
      s3.env,
    );
    assertEquals(revalidate.code, 0, revalidate.stderr);
    assertEquals(s3.stats.GetObject ?? 0, 0);
    assert(s3.stats.total >= 1);
    assertFailure(
      await ws.run(["cache", "get", "s3://data/missing.json"], s3.env),
      1,
      "s3://data/missing.json",
    );
  });
});

Deno.test("cli cache: unreachable store fails with one line, or serves the cached copy with a warning", async () => {
  await using ws = await CliWorkspace.create();
  await withStoreGone(ws, async (env) => {
    // Cached: served, with a warning naming the URI.
    const stale = await ws.run(["cache", "get", KEPT_URI, "--timeout", "0"], env);
    assertEquals(stale.code, 0, stale.stderr);
    assertEquals(await Deno.readTextFile(stale.stdout.trim()), "kept");
    assertStringIncludes(stale.stderr, "vc: warning: cannot reach the store");
    assertStringIncludes(stale.stderr, KEPT_URI);
    assertEquals(
      (await ws.run(["cache", "get", KEPT_URI, "-q", "--timeout", "0"], env)).stderr,
      "",
    );
    // Not cached: one line naming the URI, quickly.
    const started = performance.now();
    assertFailure(
      await ws.run(["cache", "get", "s3://data/other.txt"], env),
      1,
      "s3://data/other.txt",
    );
    assert(performance.now() - started < 30_000, "fails fast");
    // An endpoint on a port nobody ever listened on.
    const port = closedPort();
    const down = {
      ...env,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
    };
    await withProcessEnv(down, async () => {
      assertFailure(await ws.run(["cache", "get", KEPT_URI], down), 1, KEPT_URI);
    });
  });
});

Deno.test("cli cache: prune and verify refuse a directory that is not a cache; an empty --cache-dir is refused", async () => {
  await using ws = await CliWorkspace.create();
  // A project tree, old enough that its files would pass for a failed write's leftovers.
  const project = ws.path("project");
  const files = [
    await ws.write("project/src/main.ts", "important\n"),
    await ws.write("project/readme.md", "hi\n"),
  ];
  const old = new Date(Date.now() - 2 * 24 * 3600_000);
  for (const f of files) await Deno.utime(f, old, old);
  for (
    const args of [
      ["cache", "prune", "--older-than", "1s", "--cache-dir", project],
      ["cache", "prune", "--max-size", "10GB", "--cache-dir", project],
      ["cache", "verify", "--cache-dir", project],
    ]
  ) {
    const r = await ws.run(args);
    assertFailure(r, 1, `${project} is not a vc cache`);
    for (const f of files) assert((await Deno.stat(f)).isFile, `${args.join(" ")} removed ${f}`);
  }
  // An empty --cache-dir would be the current directory (the workspace here).
  for (
    const args of [
      ["cache", "prune", "--older-than", "1s", "--cache-dir", ""],
      ["cache", "verify", "--cache-dir", " "],
      ["cache", "get", `${ws.bucket}/x.csv`, "--cache-dir", ""],
    ]
  ) {
    assertFailure(await ws.run(args), 2, "--cache-dir is empty");
  }
  await ws.write("bucket/x.csv", "x\n");
  assertFailure(
    await ws.run(["cache", "get", `${ws.bucket}/x.csv`, "--cache-dir", ""]),
    2,
    "--cache-dir is empty",
  );
  assertEquals(await exists(ws.path(".meta")), false, "nothing written into the current directory");

  // In a real cache, a stray old file where vc keeps data is a leftover:
  // removed, and counted. One at the cache dir's top is not vc's: kept.
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/x.csv`])).code, 0);
  const foreign = join(ws.cacheDir, "someone-elses.bin");
  await Deno.writeTextFile(foreign, "not vc's\n");
  await Deno.utime(foreign, old, old);
  const stray = join(ws.cacheDir, "file", "stray.bin");
  await Deno.writeTextFile(stray, "left by a failed write\n");
  await Deno.utime(stray, old, old);
  const prune = await ws.run(["cache", "prune", "--older-than", "30d"]);
  assertEquals(prune.code, 0, prune.stderr);
  assertStringIncludes(
    prune.stdout,
    "removed 0 files, freed 0 B; also removed 1 file without a readable record",
  );
  assertEquals(await exists(stray), false);
  assertEquals(await Deno.readTextFile(foreign), "not vc's\n");
  assertEquals((await ws.run(["cache", "ls", "--json"])).json<unknown[]>().length, 1);
});

Deno.test("cli cache: ls warns of entries spelled differently in Unicode, naming the kind of difference", async () => {
  await using ws = await CliWorkspace.create();
  // Composed é and e + a combining accent; `K` and the Kelvin sign: one look, four objects.
  const names = ["caf\u00e9.csv", "cafe\u0301.csv", "K.csv", "\u212A.csv"];
  for (const name of names) await ws.write(`bucket/${name}`, `${name}\n`);
  for (const name of names) {
    const got = await ws.run(["cache", "get", `${ws.bucket}/${name}`, "--quiet"]);
    assertEquals(got.code, 0, got.stderr);
  }
  const ls = await ws.run(["cache", "ls"]);
  assertEquals(ls.code, 0, ls.stderr);
  assertStringIncludes(ls.stderr, "spelled differently in Unicode");
  assertStringIncludes(ls.stderr, "(NFC vs NFD)");
  assertStringIncludes(ls.stderr, String.raw`"\u212a" for "K"`);
  // Each stays its own entry.
  assertEquals((await ws.run(["cache", "ls", "--json"])).json<unknown[]>().length, 4);
});

Deno.test("cli cache: ls takes no s3 keys differing in a percent sign for Unicode twins", async () => {
  await using s3 = await startFakeS3({ buckets: ["data"] });
  await using ws = await CliWorkspace.create();
  // S3 keys are literal: "%2e%2e%2fz" is not "../z", nor is "%2e%2e/z".
  const keys = ["%2e%2e%2fz", "%2e%2e/z", "caf%C3%A9", "caf\u00e9"];
  for (const key of keys) await s3.putObject("data", key, `${key}\n`);
  await withProcessEnv(s3.env, async () => {
    for (const key of keys) {
      const got = await ws.run(["cache", "get", `s3://data/${key}`, "--quiet"], s3.env);
      assertEquals(got.code, 0, got.stderr);
    }
    const ls = await ws.run(["cache", "ls"], s3.env);
    assertEquals(ls.code, 0, ls.stderr);
    assertEquals(ls.stderr, "");
    assertEquals((await ws.run(["cache", "ls", "--json"], s3.env)).json<unknown[]>().length, 4);
  });
});
