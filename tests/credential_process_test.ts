/**
 * A profile whose credentials come from a `credential_process` (aws-vault,
 * SSO helpers, password managers) under vc's own permissions: the binary and
 * the tasks have no `--allow-run`, so the SDK's chain skips that provider
 * without a word and vc said only "Could not load credentials from any
 * providers", while `aws s3 ls` with the same profile worked. The message
 * now names the credential_process and what to do instead.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, vcCommand, withWorkspace } from "./cli_process.ts";
import { credentialProcessHint } from "../src/store/s3_config.ts";

Deno.test("credential_process: vc without --allow-run says why the profile's credentials failed", async () => {
  await withWorkspace(async (dir, vc) => {
    const config = join(dir, "aws_config");
    await Deno.writeTextFile(
      config,
      "[profile helper]\ncredential_process = /bin/echo never-run\nregion = us-east-1\n",
    );
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no_credentials"),
      AWS_PROFILE: "helper",
      // No request leaves the machine: the credentials fail first, and no
      // instance metadata endpoint is asked.
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "no usable AWS credentials");
    assertStringIncludes(run.stderr, 'AWS profile "helper"');
    assertStringIncludes(run.stderr, "credential_process");
    assertStringIncludes(run.stderr, "--allow-run");
    assertStringIncludes(run.stderr, "aws configure export-credentials --profile helper");
  });
});

Deno.test("credential_process: a program that gives no credentials is named, not only the SDK's chain", async () => {
  // Allowed to run it (a library user's -A, or --allow-run), the program ran
  // and failed: the SDK's chain drops its error, and vc said only "Could not
  // load credentials from any providers" where `aws` names the process.
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_credential_process_" }));
  try {
    const config = join(dir, "aws_config");
    await Deno.writeTextFile(
      config,
      "[profile helper]\ncredential_process = /bin/sh -c 'exit 3'\nregion = us-east-1\n",
    );
    const env = childEnv(dir, {
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no_credentials"),
      AWS_PROFILE: "helper",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    const out = await vcCommand(dir, env, ["cache", "get", "s3://some-bucket/k.txt"], undefined, {
      denoFlags: ["--allow-run"],
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertStringIncludes(stderr, "no usable AWS credentials");
    assertStringIncludes(stderr, `AWS profile "helper" in ${config}`);
    assertStringIncludes(stderr, "credential_process, which gave none");
    assert(!stderr.includes("--allow-run"), stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("credential_process: the hint fits the permission, and none without a process", () => {
  const profile = { profile: "default", file: "/x/config", credentialProcess: true };
  assert(
    credentialProcessHint(() => undefined, () => profile, false).includes("credential_process"),
  );
  // The default profile needs no --profile in the suggested command.
  assert(!credentialProcessHint(() => undefined, () => profile, false).includes("--profile"));
  const ran = credentialProcessHint(() => undefined, () => profile, true);
  assert(ran.includes("which gave none") && !ran.includes("--allow-run"), ran);
  assertEquals(
    credentialProcessHint(() => undefined, () => ({ profile: "p", file: "/x/config" }), false),
    "",
  );
  assertEquals(credentialProcessHint(() => undefined, () => undefined, false), "");
});
