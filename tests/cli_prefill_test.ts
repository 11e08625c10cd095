import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

interface Summary {
  total: number;
  fetched: number;
  alreadyCached: number;
  failed: { item: string; file?: string; line?: number; error: string; errorName: string }[];
  bytes: number;
  seconds: number;
}

async function seed(ws: CliWorkspace): Promise<void> {
  await ws.write("bucket/a.1.0.0.csv", "aaaa");
  await ws.write("bucket/b.2.0.0.csv", "bb");
  await ws.write("bucket/b.1.0.0.csv", "b1");
  await ws.write("bucket/raw/extra.bin", "extra");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0", "/b.csv": "2.0.0"}');
}

Deno.test("cli prefill: default manifest, then everything already cached", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  const first = await ws.vc("prefill");
  assertEquals(first.code, 0, first.stderr);
  assertStringIncludes(
    first.stdout,
    "prefill: 2 items: 2 fetched, 0 already cached, 0 failed; 6 B",
  );
  const second = await ws.vc("prefill", "--json");
  assertEquals(second.code, 0, second.stderr);
  const s = second.json<Summary>();
  assertEquals([s.total, s.fetched, s.alreadyCached, s.failed, s.bytes], [2, 0, 2, [], 0]);
  assert(typeof s.seconds === "number");
});

Deno.test("cli prefill: manifests and list files together; failures listed, exit 1", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  await ws.write("other.json", '{"/b.csv": "1.0.0"}');
  await ws.write(
    "ci/assets.txt",
    `# extra assets\n${ws.bucket}/raw/extra.bin\n\n/b.csv@1.0.0\n${ws.bucket}/raw/missing.bin\n/nope.csv\n`,
  );
  const r = await ws.vc(
    "prefill",
    "--manifest",
    "versioned_assets.json",
    "--manifest",
    "other.json",
    "--list",
    "ci/assets.txt",
    "--concurrency",
    "2",
    "--json",
  );
  assertEquals(r.code, 1, r.stderr);
  const s = r.json<Summary>();
  // a, b@2, b@1 (twice: manifest and list), extra, missing, nope: duplicates fetched once.
  assertEquals(s.fetched, 4, JSON.stringify(s));
  assertEquals(s.failed.map((f) => f.item), [`${ws.bucket}/raw/missing.bin`, "/nope.csv"]);
  assertEquals(s.failed.map((f) => f.errorName), ["NotFoundError", "NotFoundError"]);
  // Each names its list file and line, in --json and in the text.
  const list = ws.path("ci/assets.txt");
  assertEquals(s.failed.map((f) => [f.file, f.line]), [[list, 5], [list, 6]]);
  const lines = r.stderr.trimEnd().split("\n");
  assertStringIncludes(
    lines[0]!,
    `vc: prefill failed: ${list}:5: ${ws.bucket}/raw/missing.bin: `,
  );
  assertStringIncludes(lines[1]!, `vc: prefill failed: ${list}:6: /nope.csv: `);
  assertEquals(lines[2], "vc: 2 of 6 items failed");
});

Deno.test("cli prefill: a list file alone needs no manifest or bucket for URIs", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  await Deno.remove(ws.path("versioned_assets.json"));
  await ws.write("list.txt", `${ws.bucket}/raw/extra.bin\n`);
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "1 item: 1 fetched");
});

Deno.test("cli prefill: bad input", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  assertFailure(await ws.vc("prefill", "--concurrency", "0"), 2, "--concurrency");
  assertFailure(await ws.vc("prefill", "--concurrency", "many"), 2, '"many"');
  assertFailure(await ws.vc("prefill", "--list", "nope.txt"), 1, "nope.txt");
  await ws.write("bad.txt", "ftp://x/y\n");
  assertFailure(await ws.vc("prefill", "--list", "bad.txt"), 1, "bad.txt:1");
  // An empty --list (an unset variable in a CI script) is not the working
  // directory ("is a directory"), and a URI is not a relative path: usage
  // errors, as for --manifest.
  assertFailure(await ws.vc("prefill", "--list", ""), 2, "--list is empty");
  assertFailure(await ws.vc("prefill", "--list", "s3://b/list.txt"), 2, "local path");
  assertFailure(await ws.run(["prefill"]), 2, "no bucket configured");
  const missing = await ws.vc("prefill", "--manifest", "missing.json");
  assertEquals(missing.code, 1);
  assertStringIncludes(missing.stderr, "missing.json");
});

Deno.test("cli prefill: progress bar on a terminal, erased at the end", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  const io = memoryIo({ env: ws.env, cwd: ws.dir, stderrIsTerminal: true });
  const code = await runCli(["prefill", "--bucket", ws.bucket], io);
  assertEquals(code, 0, io.stderr());
  assertStringIncludes(io.stderr(), "prefill");
  assertStringIncludes(io.stderr(), "/2");
  assert(io.stderr().endsWith("\r\x1b[K"), JSON.stringify(io.stderr()));
  // Not on a terminal: nothing on stderr.
  const pipe = memoryIo({ env: ws.env, cwd: ws.dir });
  assertEquals(await runCli(["prefill", "--bucket", ws.bucket], pipe), 0);
  assertEquals(pipe.stderr(), "");
});

Deno.test("cli prefill: a cause shared by many items prints 20 failures and a count; --json lists them all", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  const missing = Array.from({ length: 25 }, (_, i) => `${ws.bucket}/raw/absent-${i}.bin`);
  await ws.write("list.txt", missing.join("\n") + "\n");
  const r = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assertEquals(lines.filter((l) => l.startsWith("vc: prefill failed: ")).length, 20);
  assertEquals(lines.at(-2), "vc: ... and 5 more failures (--json lists them all)");
  assertEquals(lines.at(-1), "vc: 25 of 25 items failed (25 NotFoundError)");
  const json = await ws.run(["prefill", "--list", "list.txt", "--json"]);
  assertEquals(json.json<Summary>().failed.length, 25);
});

Deno.test("cli prefill: HOME and the XDG directories unset, VC_CACHE_DIR set (a bare CI container)", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  const env = { VC_CACHE_DIR: ws.cacheDir, VC_BUCKET: ws.bucket, CI: "true", NO_COLOR: "1" };
  const io = memoryIo({ env, cwd: ws.dir });
  assertEquals(await runCli(["prefill"], io), 0, io.stderr());
  assertStringIncludes(io.stdout(), "prefill: 2 items: 2 fetched");
  // Without VC_CACHE_DIR the one line says what to set.
  const bare = memoryIo({ env: { VC_BUCKET: ws.bucket }, cwd: ws.dir });
  assertFailure(
    { code: await runCli(["prefill"], bare), stdout: bare.stdout(), stderr: bare.stderr() },
    1,
    "HOME is not set (set VC_CACHE_DIR",
  );
  // ... including the flag: `cacheDir` alone is the library's option, no
  // name a command line takes.
  assertStringIncludes(bare.stderr(), "XDG_CACHE_HOME, or pass --cache-dir");
});

Deno.test("cli prefill: a manifest given twice is read once, and failed once when it cannot be", async () => {
  await using ws = await CliWorkspace.create();
  await seed(ws);
  await ws.write("broken.json", '{"/a.csv": ');
  const r = await ws.vc(
    ...["prefill", "--json", "--manifest", "broken.json", "--manifest", "./broken.json"],
    ...["--manifest", "versioned_assets.json", "--manifest", "sub/../versioned_assets.json"],
  );
  assertEquals(r.code, 1, r.stderr);
  const s = r.json<Summary>();
  // broken.json (one failure), /a.csv and /b.csv.
  assertEquals([s.total, s.fetched, s.failed.length], [3, 2, 1], JSON.stringify(s));
  assertEquals(r.stderr.trimEnd().split("\n").length, 2, r.stderr);
  assertStringIncludes(r.stderr, "vc: 1 of 3 items failed");
});

Deno.test("cli prefill: the summary's bytes are those of the items fetched, not of a failed download", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "aaaa");
  await ws.write("b.csv", "bbbbbbbb");
  for (const path of ["a", "b"]) {
    const r = await ws.vc("add", `/${path}.csv`, `${path}.csv`);
    assertEquals(r.code, 0, r.stderr);
  }
  // Replaced in the bucket after the lock: all 8 bytes arrive, then fail the check.
  await ws.write("bucket/b.1.0.0.csv", "BBBBBBBB");
  const r = await ws.vc("prefill", "--json");
  assertEquals(r.code, 1, r.stderr);
  const s = r.json<Summary>();
  assertEquals(s.failed.map((f) => [f.item, f.errorName]), [["/b.csv", "IntegrityError"]]);
  assertEquals([s.fetched, s.bytes], [1, 4]);
});
