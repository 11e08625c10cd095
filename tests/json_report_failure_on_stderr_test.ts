/**
 * With `--json` (`vc … --json > report.json`, as a CI step keeps a report)
 * `vc prefill`, `vc sync` and `vc verify` exiting 1 also say why on stderr,
 * so the job's log names it. `vc cache verify` of a corrupt copy and
 * `vc repo check` of a missing content object exited 1 with nothing on
 * stderr: the log showed a failed step and no reason. They say it now, the
 * lines their text report gives; stdout stays the one JSON document.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cache verify --json: a corrupt copy is named on stderr too", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "original\n");
  const a = `${ws.bucket}/a.txt`;
  const got = await ws.run(["cache", "get", a]);
  assertEquals(got.code, 0, got.stderr);
  const local = got.stdout.trim();
  await Deno.chmod(local, 0o644);
  await Deno.writeTextFile(local, "garbage\n\n"); // the same size, other bytes
  const r = await ws.run(["cache", "verify", "--json"]);
  assertEquals(r.code, 1, r.stdout + r.stderr);
  assertEquals(r.json<{ corrupt: unknown[] }>().corrupt.length, 1);
  assertStringIncludes(r.stderr, `corrupt (removed): ${a}`);
});

Deno.test("repo check --json: a problem is named on stderr too", async () => {
  await using ws = await CliWorkspace.create();
  const repo = await ws.repoWithContentGone();
  const r = await ws.run(["repo", "check", "--repo", repo, "--json"]);
  assertEquals(r.code, 1, r.stdout + r.stderr);
  assertEquals(r.json<{ ok: boolean }>().ok, false);
  assertStringIncludes(r.stderr, "record 1");
  assertStringIncludes(r.stderr, "1 problem");
});

Deno.test("--json with all well: stderr stays empty", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.txt", "original\n");
  assertEquals((await ws.run(["cache", "get", `${ws.bucket}/a.txt`])).code, 0);
  const r = await ws.run(["cache", "verify", "--json"]);
  assertEquals([r.code, r.stderr], [0, ""]);
});

Deno.test("serve expire: an entry the store refused is said with --json (stderr) and --quiet", async () => {
  await using ws = await CliWorkspace.create();
  // An expired entry whose data the store refuses to delete: its data key
  // holds a control character, which a directory store refuses.
  await Deno.mkdir(join(ws.dir, "store", "meta"), { recursive: true });
  await Deno.writeTextFile(
    join(ws.dir, "store", "meta", `${"1".repeat(128)}.json`),
    JSON.stringify({
      owner: "token-file:alice",
      filename: "placeholder",
      expiresAt: Date.now() - 1000,
      size: 7,
      dataKey: "data/a\u0000b",
    }),
  );
  const store = pathToFileURL(join(ws.dir, "store")).href;
  const json = await ws.run(["serve", "expire", "--store", store, "--json"]);
  assertEquals(json.code, 1, json.stdout + json.stderr);
  assertEquals(json.json<{ failed: string[] }>().failed.length, 1);
  assertStringIncludes(json.stderr, "1 expired not removed");
  const quiet = await ws.run(["serve", "expire", "--store", store, "--quiet"]);
  assertEquals(quiet.code, 1, quiet.stdout + quiet.stderr);
  assertStringIncludes(quiet.stdout + quiet.stderr, "1 expired not removed");
});
