/**
 * `vc sync`, `vc lock`, `vc lock --check` and `vc verify` with no usable AWS
 * credentials (a profile that does not exist) said the same long credentials
 * error, with its hint, once per manifest entry (20 lines of it, then a
 * count), and tried every entry. As `vc prefill` does, after the first such
 * failure the bucket's other entries fail at once, each with a short
 * reference to the first, and the long error is said once. Keys that cannot
 * sign (an access key with no secret) failed every entry in flight with the
 * one same error, which was taken for the first's and said each time.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { writeSharedFiles } from "./aws_shared_files.ts";
import { sha256Hex } from "../src/hash.ts";

const LONG = "Could not load credentials";
const SHORT = "no usable AWS credentials for s3://bkt (the failure of /d/k";
const ENTRIES = 30;

async function noCredentials(
  fn: (
    vc: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>,
  ) => Promise<void>,
  keys?: Record<string, string>,
): Promise<void> {
  await withWorkspace(async (dir, vc) => {
    const { env } = await writeSharedFiles(dir, {
      config: "[profile lab]\nregion = us-east-1\n",
      credentials: "",
      profile: "lba",
    });
    const paths = Array.from({ length: ENTRIES }, (_, i) => `/d/k${i}.txt`);
    await Deno.writeTextFile(
      `${dir}/versioned_assets.json`,
      JSON.stringify(Object.fromEntries(paths.map((p) => [p, "1.0.0"])), null, 4),
    );
    await Deno.writeTextFile(
      `${dir}/versioned_assets.lock.json`,
      `{\n${
        paths.map((p) => `  "${p}@1.0.0": {"size": 2, "sha256": "${sha256Hex("x\n")}"}`)
          .join(",\n")
      }\n}\n`,
    );
    // Nothing listens there: a store that were asked would fail otherwise.
    // With `keys`, they are the credentials, not a profile.
    if (keys !== undefined) delete env.AWS_PROFILE;
    const storeEnv = {
      ...env,
      ...keys,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      VC_BUCKET: "s3://bkt",
    };
    await fn((args) => vc(args, storeEnv));
  });
}

/** The failures of `--json` output: one long credentials error, the others short references. */
function saidOnce(errors: string[]): void {
  assertEquals(errors.length, ENTRIES);
  saidOnceAs(errors, LONG);
}

/** As {@linkcode saidOnce}, with `long` the text of the long error. */
function saidOnceAs(errors: string[], long: string): void {
  assertEquals(errors.filter((e) => e.includes(long)).length, 1, errors.slice(0, 3).join("\n"));
  for (const e of errors.filter((e) => !e.includes(long))) {
    assertStringIncludes(e, SHORT);
    assert(e.length < 200, e);
  }
}

Deno.test("vc sync with no usable credentials says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    const json = await vc(["sync", "out", "--json"]);
    assertEquals(json.code, 1, json.stderr);
    const failed: Array<{ error: string; errorName: string }> = JSON.parse(json.stdout).failed;
    saidOnce(failed.map((f) => f.error));
    assertEquals([...new Set(failed.map((f) => f.errorName))], ["AccessDeniedError"]);
    const text = await vc(["sync", "out"]);
    assertEquals(text.code, 1);
    assertEquals(text.stderr.split(LONG).length, 2, text.stderr);
  });
});

Deno.test("vc lock with no usable credentials says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    // Each entry unlocked in a fresh lock file, so `vc lock` reads them all.
    const text = await vc(["lock", "--lock", "fresh.lock.json"]);
    assertEquals(text.code, 1);
    assertEquals(text.stderr.split(LONG).length, 2, text.stderr);
  });
});

Deno.test("vc lock --check with no usable credentials says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    const json = await vc(["lock", "--check", "--json"]);
    assertEquals(json.code, 1, json.stderr);
    const out: Array<{ status: string; error?: string }> = JSON.parse(json.stdout);
    saidOnce(out.map((r) => r.error ?? r.status));
  });
});

Deno.test("vc verify with no usable credentials says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    const json = await vc(["verify", "--json"]);
    assertEquals(json.code, 1, json.stderr);
    const out: Array<{ problem?: string }> = JSON.parse(json.stdout);
    saidOnce(out.map((r) => r.problem ?? ""));
  });
});

Deno.test("vc sync with an access key and no secret says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    const json = await vc(["sync", "out", "--json"]);
    assertEquals(json.code, 1, json.stderr);
    const failed: Array<{ error: string }> = JSON.parse(json.stdout).failed;
    assertEquals(failed.length, ENTRIES);
    saidOnceAs(failed.map((f) => f.error), "AWS_SECRET_ACCESS_KEY is not");
  }, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" });
});

Deno.test("vc prefill with an access key and no secret says the credentials error once", async () => {
  await noCredentials(async (vc) => {
    const json = await vc(["prefill", "--json"]);
    assertEquals(json.code, 1, json.stderr);
    const failed: Array<{ error: string }> = JSON.parse(json.stdout).failed;
    assertEquals(failed.length, ENTRIES);
    saidOnceAs(failed.map((f) => f.error), "AWS_SECRET_ACCESS_KEY is not");
  }, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE" });
});
