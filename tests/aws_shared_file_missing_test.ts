/**
 * `AWS_SHARED_CREDENTIALS_FILE` or `AWS_CONFIG_FILE` naming a file that is
 * not there (a typo: `~/.aws/credential`), with no other credentials: the
 * SDK's chain says only "Could not load credentials from any providers" (the
 * aws CLI: "Unable to locate credentials"), naming neither the variable nor
 * the file. The message now names both.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { credentialHint } from "../src/store/s3_config.ts";

Deno.test("a shared-file variable naming no file: the credentials error names it", async () => {
  await withWorkspace(async (dir, vc) => {
    const credentials = join(dir, "credential");
    const run = await vc(["cache", "get", "s3://some-bucket/k.txt"], {
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    assertEquals(run.code, 1, run.stderr);
    assertStringIncludes(run.stderr, "no usable AWS credentials");
    assertStringIncludes(run.stderr, `${credentials} (AWS_SHARED_CREDENTIALS_FILE) does not exist`);
  });
});

Deno.test("a shared-file variable naming a file that is there: no such hint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-shared-file-missing-" });
  try {
    await Deno.writeTextFile(join(dir, "config"), "[default]\nregion = us-east-1\n");
    const env = (n: string) =>
      ({ AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "nope") })[
        n
      ];
    assertEquals(
      credentialHint(env),
      ` (${join(dir, "nope")} (AWS_SHARED_CREDENTIALS_FILE) does not exist)`,
    );
    const both = (n: string) => ({ AWS_CONFIG_FILE: join(dir, "config") })[n];
    assertEquals(credentialHint(both), "");
    // A `~/` no shell expanded (a quoted value in a CI file) is the home directory.
    const tilde = (n: string) => ({ HOME: dir, AWS_CONFIG_FILE: "~/confg" })[n];
    assertEquals(
      credentialHint(tilde),
      ` (${join(dir, "confg")} (AWS_CONFIG_FILE) does not exist)`,
    );
    const found = (n: string) => ({ HOME: dir, AWS_CONFIG_FILE: "~/config" })[n];
    assertEquals(credentialHint(found), "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
