/**
 * `vc config timeout`, as `git config KEY` and `aws configure get region`
 * print one value for a script, was refused (`unexpected argument
 * "timeout"`, exit 2): a script had to parse the table or `--json` with jq.
 * `vc config NAME` now prints that setting's value alone (seconds and bytes
 * as bare numbers, a list comma-separated), `--json` its row; an unset one
 * prints nothing and exits 1, as `git config` does; a name that is no row is
 * a usage error guessing the row meant. Only that row's error (and a broken
 * settings file) fails it.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc config NAME prints the value alone", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "cacheDir"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, `${ws.cacheDir}\n`);
  const t = await ws.run(["config", "timeout"], { VC_CACHE_TIMEOUT: "1h" });
  assertEquals([t.code, t.stdout], [0, "3600\n"]);
  const s = await ws.run(["config", "rangeSize"], { VC_RANGE_SIZE: "1MiB" });
  assertEquals([s.code, s.stdout], [0, "1048576\n"]);
  const l = await ws.run(["config", "immutableBuckets"], { VC_IMMUTABLE_BUCKETS: "a,b" });
  assertEquals([l.code, l.stdout], [0, "a,b\n"]);
});

Deno.test("vc config NAME --json prints its row", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "timeout", "--json"], { VC_CACHE_TIMEOUT: "90" });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json(), { name: "timeout", value: 90, source: "env VC_CACHE_TIMEOUT" });
});

Deno.test("vc config NAME of an unset setting prints nothing and exits 1", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "bucket"]);
  assertEquals([r.code, r.stdout, r.stderr], [1, "", ""]);
});

// The table shows no immutable buckets as "(none)", as it does no bucket;
// `vc config immutableBuckets` printed an empty line and exited 0, so a
// script's `vc config immutableBuckets || …` never saw that none applies.
Deno.test("vc config immutableBuckets with none (default or VC_IMMUTABLE_BUCKETS=,,) prints nothing and exits 1", async () => {
  await using ws = await CliWorkspace.create();
  for (const env of [{}, { VC_IMMUTABLE_BUCKETS: ",," }]) {
    const r = await ws.run(["config", "immutableBuckets"], env);
    assertEquals([r.code, r.stdout, r.stderr], [1, "", ""], JSON.stringify(env));
    const json = await ws.run(["config", "immutableBuckets", "--json"], env);
    assertEquals(json.code, 1, json.stderr);
    assertEquals((json.json() as { value: unknown }).value, []);
  }
});

Deno.test("vc config NAME that is no setting guesses the one meant", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "cachedir"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, 'no setting "cachedir"');
  assertStringIncludes(r.stderr, "did you mean cacheDir?");
});

Deno.test("vc config NAME fails on its own row's error, not another's", async () => {
  await using ws = await CliWorkspace.create();
  const other = await ws.run(["config", "cacheDir"], { VC_LOCK_WAIT: "soon" });
  assertEquals([other.code, other.stdout, other.stderr], [0, `${ws.cacheDir}\n`, ""]);
  const own = await ws.run(["config", "lockWait"], { VC_LOCK_WAIT: "soon" });
  assertEquals([own.code, own.stdout], [1, ""]);
  assertStringIncludes(own.stderr, "VC_LOCK_WAIT");
  // A broken settings file fails every setting: which of its values holds is unknown.
  await ws.write("home/.config/vc/config.json", "{");
  const broken = await ws.run(["config", "cacheDir"]);
  assertEquals(broken.code, 1, broken.stderr);
  assertStringIncludes(broken.stderr, "invalid JSON in config file");
});
