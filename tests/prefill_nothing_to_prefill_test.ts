/**
 * A prefill with nothing to prefill passed without a word: `aws s3api … |
 * sed … | vc prefill --list -` whose listing failed (a shell without
 * pipefail) printed "0 items", exit 0, and the CI job went on with an empty
 * cache. A run whose lists and manifests give no item at all now fails
 * (exit 1, naming each empty source) unless `--allow-empty` says that is
 * expected; an empty list beside others that have items is warned of.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { childEnv, vcCommand } from "./cli_process.ts";

Deno.test("vc prefill: an empty list file fails the run, naming it; --allow-empty lets it pass", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("empty.txt", "");
  await ws.write("comments.txt", "# nothing here yet\n\n");
  const r = await ws.run(["prefill", "--list", "empty.txt", "--list", "comments.txt"]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(
    r.stderr,
    `nothing to prefill: ${ws.path("empty.txt")} lists no items, ${
      ws.path("comments.txt")
    } lists no items`,
  );
  assertStringIncludes(r.stderr, "--allow-empty");
  const allowed = await ws.run(["prefill", "--list", "empty.txt", "--allow-empty"]);
  assertEquals([allowed.code, allowed.stderr], [0, ""]);
  assertStringIncludes(allowed.stdout, "0 items");
});

Deno.test("vc prefill: a manifest with no entries fails the run alike, --json too", async () => {
  await using ws = await CliWorkspace.create();
  const manifest = await ws.write("versioned_assets.json", "{}");
  const r = await ws.run(["prefill", "--bucket", ws.bucket, "--json"]);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `nothing to prefill: ${manifest} has no entries`);
  const doc = r.json<{ error?: { kind?: string } }>();
  assertEquals(doc.error?.kind, "InvalidInputError", r.stdout);
  const allowed = await ws.run(["prefill", "--bucket", ws.bucket, "--allow-empty"]);
  assertEquals(allowed.code, 0, allowed.stderr);
});

Deno.test("vc prefill: an empty list beside one with items is warned of, and the run passes", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/x.bin", "x");
  await ws.write("list.txt", `${ws.bucket}/x.bin\n`);
  await ws.write("empty.txt", "");
  const r = await ws.run(["prefill", "--list", "list.txt", "--list", "empty.txt"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, `vc: warning: ${ws.path("empty.txt")} lists no items`);
  assertStringIncludes(r.stdout, "1 fetched");
  const allowed = await ws.run(
    ["prefill", "--list", "list.txt", "--list", "empty.txt", "--allow-empty"],
  );
  assertEquals([allowed.code, allowed.stderr], [0, ""]);
});

Deno.test("vc prefill --list - with nothing piped in fails, naming <stdin>", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_prefill_empty_stdin_" }));
  try {
    const env = childEnv(dir, { HOME: dir, XDG_CONFIG_HOME: join(dir, ".config") });
    const { code, stderr } = await vcCommand(dir, env, ["prefill", "--list", "-"], 120_000)
      .output();
    const err = new TextDecoder().decode(stderr);
    assertEquals(code, 1, err);
    assertStringIncludes(err, "nothing to prefill: <stdin> lists no items");
    assert(err.includes("pipefail"), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
