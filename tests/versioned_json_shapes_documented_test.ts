/**
 * The `--json` of every versioned command is a shape scripts rely on, so
 * README's list of them names each key the command prints, and every key of
 * the library's result types it prints (`VersionedUpdateResult`,
 * `VersionedVerifyResult`, `LockFillResult`, `LockCheckResult`) that can
 * appear. Before, README gave the shape of `vc ls --json` and `vc sync --json`
 * only: not of `add`, `update`, `path`, `get`, `path-remote`, `versions`,
 * `ls-remote`, `verify` or `lock`.
 */
import type {
  LockCheckResult,
  LockFillResult,
  VersionedSyncReport,
  VersionedUpdateResult,
  VersionedVerifyResult,
} from "../src/versioned/mod.ts";
import { assertEquals } from "./assert.ts";
import { assertDocumented } from "./readme_json_shapes.ts";
import { CliWorkspace } from "./cli_harness.ts";

// Every key of each result type: a key added to the type and not here fails
// type checking, and then this test until README names it. (`error` is
// printed as its message, beside `errorName`.)
const UPDATE_KEYS = {
  path: true,
  from: true,
  to: true,
  pinned: true,
  adopted: true,
} satisfies Record<keyof VersionedUpdateResult, true>;
const VERIFY_KEYS = {
  path: true,
  version: true,
  ok: true,
  problem: true,
  errorName: true,
  locked: true,
  lockChecked: true,
  cached: true,
} satisfies Record<keyof VersionedVerifyResult, true>;
const FILL_KEYS = {
  path: true,
  version: true,
  status: true,
  error: true,
} satisfies Record<keyof LockFillResult, true>;
const CHECK_KEYS = {
  path: true,
  version: true,
  status: true,
  problem: true,
  error: true,
} satisfies Record<keyof LockCheckResult, true>;

const SYNC_KEYS = {
  dest: true,
  total: true,
  copied: true,
  unchanged: true,
  failed: true,
  bytes: true,
  seconds: true,
  dryRun: true,
} satisfies Record<keyof VersionedSyncReport, true>;

const keysOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap(keysOf) : Object.keys(value as object);

Deno.test("README names every key the versioned commands print with --json", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  await ws.write("b.csv", "b\n");
  await ws.write("dev/o.csv", "o\n");
  const run = async (...args: string[]) => {
    const r = await ws.vc(...args, "--json");
    assertEquals(r.code, 0, `vc ${args.join(" ")}: ${r.stderr}`);
    return r.json<Record<string, unknown>>();
  };
  await assertDocumented("add", keysOf(await run("add", "/a.csv", "a.csv")));
  const updated = await run("update", "/a.csv", "b.csv", "--patch");
  await assertDocumented("update", [...keysOf(updated), ...Object.keys(UPDATE_KEYS)]);
  const path = await run("path", "/a.csv");
  assertEquals(path.version, "1.0.1");
  await assertDocumented("path", keysOf(path));
  await assertDocumented("get PATH DEST", keysOf(await run("get", "/a.csv", "out.csv")));
  await assertDocumented("path-remote", keysOf(await run("path-remote", "/a.csv")));
  await assertDocumented("versions", keysOf(await run("versions", "/a.csv")));
  await assertDocumented("ls-remote", keysOf(await run("ls-remote")));
  const text = await ws.read("versioned_assets.json");
  await ws.write("versioned_assets.json", text.replace("{", '{\n    "/o.csv": "./dev/o.csv",'));
  await assertDocumented("ls", keysOf(await run("ls")));
  const verified = await run("verify");
  await assertDocumented("verify", [
    ...keysOf(verified),
    ...Object.keys(VERIFY_KEYS),
  ]);
  const locked = await run("lock");
  await assertDocumented("lock", [
    ...keysOf(locked),
    ...keysOf(locked.entries),
    ...Object.keys(FILL_KEYS),
    "errorName",
  ]);
  await assertDocumented("lock --check", [
    ...keysOf(await run("lock", "--check")),
    ...Object.keys(CHECK_KEYS),
    "errorName",
  ]);
  await assertDocumented("sync", [...keysOf(await run("sync", "out")), ...Object.keys(SYNC_KEYS)]);
  // A re-sync: the files left as they were.
  const resynced = await run("sync", "out");
  assertEquals((resynced.unchanged as unknown[]).length > 0, true);
  await assertDocumented("sync", keysOf(resynced));
  await ws.write("c.csv", "c\n");
  await run("add", "/c.csv", "c.csv");
  const dry = await run("sync", "out", "--dry-run");
  await assertDocumented("sync", [...keysOf(dry), ...keysOf(dry.copied)]);
});
