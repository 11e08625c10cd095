/**
 * Bucket values and shared project settings, through the CLI: a bare name is
 * an S3 bucket (baiji-pod's habit), malformed values are errors naming the
 * value for every command (and nothing is written), and a project settings
 * file found from the manifest supplies the bucket; `vc config` shows where
 * every setting came from.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

const MALFORMED = ["s3://", "S3://", "file://", "http://example.com/b", "s3://b/p/../x", "a b"];
const COMMANDS: string[][] = [
  ["add", "/x.csv", "x.csv"],
  ["update", "/x.csv", "x.csv", "--patch"],
  ["path", "/x.csv"],
  ["cat", "/x.csv"],
  ["get", "/x.csv", "out.csv"],
  ["versions", "/x.csv"],
  ["ls"],
  ["ls-remote"],
  ["path-remote", "/x.csv"],
  ["sync", "out"],
  ["verify"],
  ["prefill"],
];

Deno.test("malformed bucket values are errors naming the value, for every command, and nothing is written", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("x.csv", "x\n");
  await ws.write("versioned_assets.json", '{\n    "/x.csv": "1.0.0"\n}\n');
  const before = [...Deno.readDirSync(ws.dir)].map((e) => e.name).sort();
  for (const value of MALFORMED) {
    for (const args of COMMANDS) {
      for (const how of ["flag", "env"] as const) {
        const run = how === "flag"
          ? await ws.run([...args, "--bucket", value])
          : await ws.run(args, { VC_BUCKET: value });
        const what = `${args[0]} with ${how} ${value}`;
        assert(run.code !== 0, `${what} exited 0: ${run.stdout}`);
        assertStringIncludes(run.stderr, JSON.stringify(value), what);
      }
    }
  }
  assertEquals([...Deno.readDirSync(ws.dir)].map((e) => e.name).sort(), before);
  assertEquals(await ws.read("versioned_assets.json"), '{\n    "/x.csv": "1.0.0"\n}\n');
});

Deno.test("a bare bucket name means s3://NAME (flag, env and project file), a path a directory", async () => {
  await using s3 = await startFakeS3({ buckets: ["team-assets"] });
  await using ws = await CliWorkspace.create();
  const saved = Object.keys(s3.env).map((k) => [k, Deno.env.get(k)] as const);
  for (const [k, v] of Object.entries(s3.env)) Deno.env.set(k, v);
  try {
    await ws.write("a.csv", "a\n");
    const add = await ws.run(["add", "/a.csv", "a.csv", "--bucket", "team-assets"], s3.env);
    assertEquals(add.code, 0, add.stderr);
    assertEquals(s3.listKeys("team-assets"), ["a.1.0.0.csv"]);
    assertEquals(
      (await ws.run(["path-remote", "/a.csv"], { ...s3.env, VC_BUCKET: "team-assets" })).stdout,
      "s3://team-assets/a.1.0.0.csv\n",
    );
    // Nothing was published into a local ./team-assets folder.
    assertEquals(await Deno.stat(ws.path("team-assets")).catch(() => "absent"), "absent");
    // A project file beside the manifest sets the bucket for everyone.
    await ws.write("vc.json", JSON.stringify({ bucket: "team-assets", timeout: "2h" }));
    const cat = await ws.run(["cat", "/a.csv"], s3.env);
    assertEquals([cat.code, cat.stdout], [0, "a\n"], cat.stderr);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
  // A local directory needs a path: ./dir, /abs/dir or file://.
  await ws.write("local.csv", "l\n");
  const local = await ws.run(["add", "/l.csv", "local.csv", "--bucket", "./store"]);
  assertEquals(local.code, 0, local.stderr);
  assertEquals(await ws.read("store/l.1.0.0.csv"), "l\n");
});

Deno.test("a bucket NAME/prefix without a scheme or ./ is refused, not published into a new local directory", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("x.csv", "x\n");
  const before = [...Deno.readDirSync(ws.dir)].map((e) => e.name).sort();
  for (
    const run of [
      await ws.run(["add", "/x.csv", "x.csv", "--bucket", "team-assets/v1"]),
      await ws.run(["add", "/x.csv", "x.csv"], { VC_BUCKET: "team-assets/v1" }),
    ]
  ) {
    assert(run.code !== 0, run.stdout);
    assertStringIncludes(run.stderr, '"team-assets/v1" is not a bucket');
    assertStringIncludes(run.stderr, "s3://team-assets/v1");
    assertStringIncludes(run.stderr, "./team-assets/v1");
  }
  assertEquals([...Deno.readDirSync(ws.dir)].map((e) => e.name).sort(), before);
  // Written as a relative path, it is the directory.
  const local = await ws.run(["add", "/x.csv", "x.csv", "--bucket", "./team-assets/v1"]);
  assertEquals(local.code, 0, local.stderr);
  assertEquals(await ws.read("team-assets/v1/x.1.0.0.csv"), "x\n");
});

Deno.test("project settings: found walking up from the manifest; flags > env > project > user config; vc config shows sources", async () => {
  await using ws = await CliWorkspace.create();
  const user = await ws.write(
    "home/.config/vc/config.json",
    JSON.stringify({ bucket: "./user-bucket", timeout: 60 }),
  );
  await ws.write("repo/deno.json", JSON.stringify({ tasks: {}, vc: { bucket: "./assets" } }));
  await ws.write("repo/data/versioned_assets.json", "{}");
  const env = { XDG_CONFIG_HOME: ws.path("home/.config") };
  const manifest = ws.path("repo/data/versioned_assets.json");
  const config = await ws.run(["config", "--manifest", manifest, "--json"], env);
  assertEquals(config.code, 0, config.stderr);
  const rows = config.json<Array<{ name: string; value: unknown; source: string }>>();
  const row = (name: string) => rows.find((r) => r.name === name);
  // The project's deno.json "vc" block wins over the user config file...
  assertEquals(row("bucket")?.value, `file://${ws.path("repo/assets")}`);
  assertEquals(row("bucket")?.source, `project ${ws.path("repo/deno.json")}`);
  // ...which still supplies what the project does not set.
  assertEquals(row("timeout")?.value, 60);
  assertEquals(row("timeout")?.source, `config ${user}`);
  assertEquals(row("manifest")?.value, manifest);
  // Environment beats the project file, and a flag beats the environment.
  const fromEnv = await ws.run(["config", "--manifest", manifest, "--json"], {
    ...env,
    VC_BUCKET: "env-bucket",
    VC_CACHE_TIMEOUT: "1d",
  });
  const envRows = fromEnv.json<Array<{ name: string; value: unknown; source: string }>>();
  assertEquals(envRows.find((r) => r.name === "bucket")?.value, "s3://env-bucket");
  assertEquals(envRows.find((r) => r.name === "bucket")?.source, "env VC_BUCKET");
  assertEquals(envRows.find((r) => r.name === "timeout")?.value, 86_400);
  const fromFlag = await ws.run(
    ["config", "--manifest", manifest, "--bucket", "flag-bucket", "--json"],
    { ...env, VC_BUCKET: "env-bucket" },
  );
  const flagRow = fromFlag.json<Array<{ name: string; value: unknown; source: string }>>()
    .find((r) => r.name === "bucket");
  assertEquals([flagRow?.value, flagRow?.source], ["s3://flag-bucket", "flag --bucket"]);
  // The human form lists every setting with its source.
  const text = await ws.run(["config", "--manifest", manifest], env);
  assertStringIncludes(text.stdout, "bucket");
  assertStringIncludes(text.stdout, join("repo", "deno.json"));
  // A vc.json nearer the manifest wins over the deno.json further up.
  await ws.write("repo/data/vc.json", JSON.stringify({ bucket: "nearer" }));
  const nearer = await ws.run(["config", "--manifest", manifest, "--json"], env);
  assertEquals(
    nearer.json<Array<{ name: string; value: unknown }>>().find((r) => r.name === "bucket")
      ?.value,
    "s3://nearer",
  );
  // Unknown keys in a project file are named.
  await ws.write("repo/data/vc.json", JSON.stringify({ buckit: "x" }));
  assertFailure(await ws.run(["ls", "--manifest", manifest], env), 1, "buckit");
});

Deno.test("vc config also shows the lock file, frozen mode, the lock wait, the request timeout and the S3 endpoint", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("m/versioned_assets.json", "{}");
  const manifest = ws.path("m/versioned_assets.json");
  const rowsOf = async (args: string[], env: Record<string, string>) => {
    const r = await ws.run(["config", "--manifest", manifest, "--json", ...args], env);
    assertEquals(r.code, 0, r.stderr);
    const rows = r.json<Array<{ name: string; value: unknown; source: string }>>();
    return (name: string) => rows.find((x) => x.name === name);
  };
  const plain = await rowsOf([], { AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
  assertEquals(plain("frozen")?.value, false);
  assertEquals([plain("lockWait")?.value, plain("lockWait")?.source], [60, "default"]);
  assertEquals(plain("requestTimeout")?.value, 60);
  assertEquals(plain("s3Endpoint")?.value, "http://127.0.0.1:9");
  assertEquals(plain("s3Endpoint")?.source, "env AWS_ENDPOINT_URL");
  const set = await rowsOf(["--lock", "l.json", "--request-timeout", "5"], {
    VC_FROZEN: "1",
    VC_LOCK_WAIT: "5",
    AWS_ENDPOINT_URL_S3: "http://minio:9000",
    AWS_ENDPOINT_URL: "http://other:1",
  });
  assertEquals([set("lock")?.value, set("lock")?.source], [ws.path("l.json"), "flag --lock"]);
  assertEquals([set("frozen")?.value, set("frozen")?.source], [true, "env VC_FROZEN"]);
  assertEquals([set("lockWait")?.value, set("lockWait")?.source], [5, "env VC_LOCK_WAIT"]);
  // An invalid VC_LOCK_WAIT fails vc config as it fails every command that opens the cache.
  const bad = await ws.run(["config", "--manifest", manifest], { VC_LOCK_WAIT: "soon" });
  assertFailure(bad, 1, "VC_LOCK_WAIT must be a number of seconds");
  assertEquals(set("requestTimeout")?.value, 5);
  assertEquals(set("s3Endpoint")?.value, "http://minio:9000");
});

Deno.test("vc config names the lock file in use: the manifest's own by default, else --lock or VC_LOCK", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("repo/versioned_assets.json", "{}");
  const manifest = ws.path("repo/versioned_assets.json");
  const lockRow = async (args: string[], env: Record<string, string> = {}) => {
    const run = await ws.run(["config", "--manifest", manifest, "--json", ...args], env);
    assertEquals(run.code, 0, run.stderr);
    const row = run.json<Array<{ name: string; value: unknown; source: string }>>()
      .find((r) => r.name === "lock");
    return [row?.value, row?.source];
  };
  assertEquals(await lockRow([]), [ws.path("repo/versioned_assets.lock.json"), "default"]);
  assertEquals(await lockRow(["--lock", ws.path("other.lock.json")]), [
    ws.path("other.lock.json"),
    "flag --lock",
  ]);
  assertEquals(await lockRow([], { VC_LOCK: ws.path("env.lock.json") }), [
    ws.path("env.lock.json"),
    "env VC_LOCK",
  ]);
  const text = await ws.run(["config", "--manifest", manifest]);
  assert(!/^lock\s+\(none\)/m.test(text.stdout), text.stdout);
});
