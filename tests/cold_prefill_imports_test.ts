/**
 * A cold `vc prefill` evaluates only the modules it needs before its first
 * request (issue 11: each module a run from source evaluates costs Deno
 * ~0.2 ms of CPU at start-up, one only read for a literal `import()` ~0.06
 * ms). Help text, the S3 store's upload, copy, listing and delete code, the
 * AWS SDK's request plumbing, a large download's hashing workers, directory
 * walks, and for a list of URIs the manifest code, load where they are used,
 * not at every start.
 *
 * Found by Deno's module log (`--log-level=debug`: one line per module
 * evaluated), of processes run with the release permissions, not by timing.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";

const ROOT = new URL("../", import.meta.url).href;

/** Never evaluated by a cold prefill that succeeds. */
const NEVER = [
  // help pages (`vc prefill --help` loads them)
  "src/cli/help.ts",
  // the S3 store's writes, copies, listings and deletes
  "src/store/multipart_upload.ts",
  "src/store/multipart_copy.ts",
  "src/store/upload_abort.ts",
  "src/store/s3_list.ts",
  "src/store/s3_uploads_list.ts",
  "src/store/delete_failures.ts",
  // what only the AWS SDK's client uses (copies, batch deletes, multipart uploads)
  "src/store/s3_sdk.ts",
  "src/store/sdk_fetch_handler.ts",
  "src/store/sdk_body_cap.ts",
  "src/store/sdk_retry_notice.ts",
  // the hashing workers of a ranged (large) download
  "src/store/download_hasher.ts",
  // directory walks (`vc mirror`, `vc sync`)
  "src/walk.ts",
];

/** Whole areas no prefill uses. */
const NEVER_UNDER =
  /^src\/(server|repo|mirror)\/|^src\/cli\/(\w+_commands|mirror_command|lock_command|config_command)\.ts$/;

/** Also never evaluated by a prefill of a list of plain URIs (no manifest). */
const NOT_FOR_A_LIST = [
  "src/versioned/manifest.ts",
  "src/versioned/manifest_format.ts",
  "src/versioned/versioned_cache.ts",
  "src/unicode_spelling.ts",
];

/** The project's modules a process evaluated, by path from the root (others as logged). */
function modulesEvaluated(stderr: string): string[] {
  return [...stderr.matchAll(/ES module: ([^\s,]+)/g)].map((m) =>
    m[1]!.startsWith(ROOT) ? m[1]!.slice(ROOT.length) : m[1]!
  );
}

async function coldPrefill(
  args: string[],
  setup?: (dir: string, env: Record<string, string>) => Promise<void>,
): Promise<string[]> {
  await using s3 = await startFakeS3({ buckets: ["cold"] });
  await s3.putObject("cold", "data/a.bin", "a".repeat(4096));
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cold_prefill_imports_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    await Deno.writeTextFile(join(dir, "uris.txt"), "s3://cold/data/a.bin\n");
    const env = childEnv(dir, { ...testAwsEnv(s3.url), VC_BUCKET: "s3://cold/assets" });
    await setup?.(dir, env);
    // Only what the prefill itself asks.
    for (const key of Object.keys(s3.stats)) delete (s3.stats as Record<string, number>)[key];
    const run = await vcCommand(dir, env, args, 120_000, { denoFlags: ["--log-level=debug"] })
      .output();
    const stderr = new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 0, stderr.split("\n").filter((l) => !l.startsWith("DEBUG")).join("\n"));
    assertEquals((s3.stats as Record<string, number>).GetObject, 1, "downloaded cold");
    return modulesEvaluated(stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertLean(loaded: string[], never: readonly string[]): void {
  // The log does list modules, the command's own among them.
  assert(loaded.includes("src/cli/prefill_command.ts"), "Deno's module log is on");
  assert(loaded.includes("src/store/s3.ts"), "the store's own module is evaluated");
  assertEquals(loaded.filter((m) => never.includes(m) || NEVER_UNDER.test(m)), []);
  assertEquals(loaded.filter((m) => m.startsWith("npm:") || m.includes("/npm/")), []);
}

Deno.test("cold vc prefill --list of one s3:// URI: no module it does not need before its first request", async () => {
  const loaded = await coldPrefill(["prefill", "--list", "uris.txt"]);
  assertLean(loaded, [...NEVER, ...NOT_FOR_A_LIST]);
});

Deno.test("cold vc prefill of a manifest's one entry: no module it does not need before its first request", async () => {
  const loaded = await coldPrefill(["prefill"], async (dir, env) => {
    await Deno.writeTextFile(join(dir, "model.bin"), "m".repeat(4096));
    const add = await vcCommand(dir, env, ["add", "/models/m.bin", "model.bin"]).output();
    assertEquals(add.code, 0, new TextDecoder().decode(add.stderr));
    // Cold: whatever the publish left in the cache is gone.
    await Deno.remove(join(dir, "cache"), { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  });
  assert(loaded.includes("src/versioned/versioned_cache.ts"), "the manifest's own module");
  assertLean(loaded, NEVER);
});
