/**
 * With no keys and no profile named, a failure to find credentials says
 * where the default chain looked: it said "~/.aws files" also when
 * AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE named other files, which is
 * where the chain read, so a user looked in the wrong place. It now names
 * the files read, and the variable that named each.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { describeCredentialSource } from "../src/store/s3_config.ts";

Deno.test("the default credential chain names the shared files the variables point at", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const both = describeCredentialSource(
    false,
    env({ AWS_SHARED_CREDENTIALS_FILE: "/ci/creds", AWS_CONFIG_FILE: "/ci/config", HOME: "/h" }),
  );
  assertStringIncludes(both, "/ci/creds (AWS_SHARED_CREDENTIALS_FILE)");
  assertStringIncludes(both, "/ci/config (AWS_CONFIG_FILE)");
  assertEquals(both.includes("~/.aws"), false, both);
  // One variable set: the other file is the one in ~/.aws.
  const one = describeCredentialSource(false, env({ AWS_SHARED_CREDENTIALS_FILE: "/ci/creds" }));
  assertStringIncludes(one, "/ci/creds (AWS_SHARED_CREDENTIALS_FILE)");
  assertStringIncludes(one, "~/.aws/config");
  // Neither: as before.
  assertStringIncludes(describeCredentialSource(false, env({})), "~/.aws files");
});
