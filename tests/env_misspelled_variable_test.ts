/**
 * A mistyped vc variable (`VC_CACHEDIR`, `VC_BUCKETS`, `VC_TIMEOUT` after
 * the `--timeout` flag, `VC_PART_SIZE` after the library's `partSize`) was
 * ignored without a word: `vc config` showed the default and its source
 * `default`, and nothing said why the setting did not take. `vc config` now
 * warns on stderr, naming the variable set and the one vc reads; so does a
 * versioned command that fails for want of a bucket. The variables cannot be
 * listed under the binary's `--allow-env=VC_*,…` (listing needs them all),
 * so the likely misspellings of each known name are asked for one by one.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { childEnv } from "./cli_process.ts";
import { misspelledVariables, VC_VARIABLES } from "../src/cli/env_spelling.ts";

const CASES: [set: string, meant: string][] = [
  ["VC_CACHEDIR", "VC_CACHE_DIR"],
  ["VC_BUCKETS", "VC_BUCKET"],
  ["VC_IMMUTABLE_BUCKET", "VC_IMMUTABLE_BUCKETS"],
  ["VC_TIMEOUT", "VC_CACHE_TIMEOUT"],
  ["VC_PART_SIZE", "VC_RANGE_SIZE"],
  ["VC_LOCKWAIT", "VC_LOCK_WAIT"],
  ["VC_NO_SIGN_REQUEST", "VC_S3_ANONYMOUS"],
  ["VC_FORCE_PATH_STYLE", "VC_S3_PATH_STYLE"],
  ["VC_CONFIG_FILE", "VC_CONFIG"],
  ["VC_SERVE_TOKEN", "VC_SERVE_TOKEN_FILE"],
  ["VC_CACHE_DIRECTORY", "VC_CACHE_DIR"],
  // The store's settings vc reads from the AWS variables.
  ["VC_S3_ENDPOINT", "AWS_ENDPOINT_URL"],
  ["VC_ENDPOINT_URL", "AWS_ENDPOINT_URL"],
  ["VC_REGION", "AWS_REGION"],
  ["VC_PROFILE", "AWS_PROFILE"],
  ["VC_MAX_ATTEMPTS", "AWS_MAX_ATTEMPTS"],
  // Another tool's name for vc prefill's and vc mirror's VC_CONCURRENCY.
  ["VC_JOBS", "VC_CONCURRENCY"],
  // One slip of the finger: a letter left out, doubled, or two swapped.
  ["VC_OFLINE", "VC_OFFLINE"],
  ["VC_FROZE", "VC_FROZEN"],
  ["VC_CONCURENCY", "VC_CONCURRENCY"],
  ["VC_CACHE_DIRR", "VC_CACHE_DIR"],
  ["VC_MANIFSET", "VC_MANIFEST"],
];

for (const [set, meant] of CASES) {
  Deno.test(`vc config with ${set} set warns that vc reads ${meant}`, async () => {
    await using ws = await CliWorkspace.create();
    const r = await ws.run(["config"], { [set]: "1" });
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, `${set} is set, but vc reads no such variable`);
    assertStringIncludes(r.stderr, `did you mean ${meant}?`);
  });
}

Deno.test("vc config warns of nothing when only known variables are set", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config"], { VC_BUCKET: ws.bucket, VC_LOCK_WAIT: "5" });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stderr, "");
});

Deno.test("a versioned command with no bucket names a VC_BUCKETS that is set", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.txt": "1.0.0" }));
  const r = await ws.run(["path", "/a.txt"], { VC_BUCKETS: ws.bucket });
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(
    r.stderr,
    "VC_BUCKETS is set, but vc reads no such variable: rename it VC_BUCKET",
  );
});

Deno.test("misspelledVariables: no known name is taken for another's misspelling", () => {
  const env = Object.fromEntries(VC_VARIABLES.map((n) => [n, "1"]));
  assertEquals(misspelledVariables((n) => env[n]), []);
  assertEquals(misspelledVariables(() => undefined), []);
});

Deno.test("misspelledVariables asks only for VC_* names, which the binary's --allow-env=VC_* covers", () => {
  const asked: string[] = [];
  misspelledVariables((n) => {
    asked.push(n);
    return undefined;
  });
  const outside = asked.filter((n) => !n.startsWith("VC_") && !n.startsWith("AWS_"));
  assertEquals(outside, []);
  assertEquals(asked.filter((n) => /^VC_(_|.*_$|.*__)/.test(n)), []);
});

Deno.test("VC_VARIABLES is every VC_* variable the README names (but the misspellings it shows)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const named = new Set(readme.match(/\bVC_[A-Z0-9_]+/g) ?? []);
  const typos = new Set(
    misspelledVariables((n) => named.has(n) ? "1" : undefined).map((t) => t.name),
  );
  assertEquals([...VC_VARIABLES].sort(), [...named].filter((n) => !typos.has(n)).sort());
});

Deno.test("under an --allow-env list naming each vc variable, the misspelling check asks for no name left out", async () => {
  // A project's task listing vc's variables one by one (not VC_*): `vc config`
  // and a versioned command with no bucket warned "cannot read VC_TIMEOUT:
  // … taken as unset", a variable nobody set, asked for only as a misspelling.
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.txt": "1.0.0" }));
  const allow = [
    ...VC_VARIABLES,
    "AWS_*",
    "HOME",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "NO_COLOR",
    "CI",
    "TERM",
  ];
  for (const args of [["config"], ["path", "/a.txt"]]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        `--allow-env=${allow.join(",")}`,
        "--no-prompt",
        new URL("../cli.ts", import.meta.url).pathname,
        ...args,
      ],
      cwd: ws.dir,
      env: childEnv(ws.dir),
      clearEnv: true,
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(stderr.includes("no env permission"), false, `${args.join(" ")}: ${stderr}`);
  }
});

Deno.test("misspelledVariables asks the permission of VC_* once when every VC_* variable may be read, not once per name", () => {
  // Asked for each of its ~1000 candidate names (~10 µs each), the check took
  // 17–35 ms of every vc prefill and vc config under the release flags
  // (--allow-env=VC_*,…), 6–12 ms with one question for VC_*.
  const query = Deno.permissions.querySync;
  const asked: string[] = [];
  Deno.permissions.querySync = (descriptor) => {
    if (descriptor.name === "env") asked.push(descriptor.variable ?? "");
    return query.call(Deno.permissions, descriptor);
  };
  try {
    const env: Record<string, string> = { VC_CACHEDIR: "/tmp/c" };
    assertEquals(misspelledVariables((n) => env[n]), [{
      name: "VC_CACHEDIR",
      meant: "VC_CACHE_DIR",
    }]);
  } finally {
    Deno.permissions.querySync = query;
  }
  assertEquals(asked.filter((name) => name.startsWith("VC_") && name !== "VC_*"), [], asked.join());
  assertEquals(asked.length <= 20, true, `${asked.length} names asked`);
});

Deno.test("under --allow-env with a --deny-env of one misspelt VC_ name, the check neither reads it nor warns of its permission", async () => {
  // VC_* granted as a whole hides a --deny-env of one name below it: read
  // anyway, it warned "cannot read VC_BUKET: … no env permission … run with
  // --allow-env", a variable vc does not read, under --allow-env itself.
  await using ws = await CliWorkspace.create();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--deny-env=VC_BUKET",
      "--no-prompt",
      new URL("../cli.ts", import.meta.url).pathname,
      "config",
    ],
    cwd: ws.dir,
    env: { ...childEnv(ws.dir), VC_BUKET: "b", VC_CACHEDIR: "/c" },
    clearEnv: true,
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  assertEquals(stderr.includes("no env permission"), false, stderr);
  assertEquals(stderr.includes("VC_BUKET"), false, stderr);
  assertStringIncludes(stderr, "VC_CACHEDIR is set, but vc reads no such variable");
});
