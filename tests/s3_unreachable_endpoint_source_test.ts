/**
 * An S3 endpoint that cannot be reached is named with the setting that
 * configured it (`AWS_ENDPOINT_URL_S3`, a profile's `endpoint_url` with its
 * file and line), by vc's own requests and the AWS SDK's alike: the message
 * named only the URL, and with several places an endpoint can come from
 * (two variables, two files, a services section) the user had to guess which
 * one to fix.
 */
import { join } from "node:path";
import { OfflineError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { closedPort } from "./closed_port.ts";

function storeWith(env: Record<string, string>): S3Store {
  return new S3Store({
    bucket: "b",
    env: (n) => env[n],
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
}

Deno.test("S3 unreachable: the message names the variable that set the endpoint", async () => {
  const endpoint = `http://127.0.0.1:${closedPort()}`;
  await using store = storeWith({ AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: "us-east-1" });
  const error = await assertRejects(() => store.head("k"), OfflineError);
  assertStringIncludes(error.message, `cannot reach ${endpoint} (from AWS_ENDPOINT_URL_S3)`);
  // The AWS SDK's requests (a copy) say the same.
  const copy = await assertRejects(() => store.copy("k", "k2"), Error);
  assertStringIncludes(copy.message, "(from AWS_ENDPOINT_URL_S3)");
});

Deno.test("S3 unreachable: the message names the profile's endpoint_url with its file and line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-unreachable-source-" });
  try {
    const endpoint = `http://127.0.0.1:${closedPort()}`;
    await Deno.writeTextFile(join(dir, "config"), `[profile lab]\nendpoint_url = ${endpoint}\n`);
    await using store = storeWith({
      AWS_PROFILE: "lab",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
    });
    const error = await assertRejects(async () => {
      for await (const _ of store.list("")) break;
    }, OfflineError);
    assertStringIncludes(
      error.message,
      `(from endpoint_url of AWS profile "lab" in ${join(dir, "config")}:2)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
