/**
 * A region that is no region name (`eu/west`, `eu west 1`), from
 * `AWS_REGION`, `AWS_DEFAULT_REGION` or a profile's `region`, is refused
 * naming the setting before any request, as the aws CLI refuses it. It went
 * into the AWS host name (`bkt.s3.eu/west.amazonaws.com`) and failed as a
 * host that does not resolve, naming no setting.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { resolveS3Settings } from "../src/store/s3_config.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

async function withAwsFiles(config: string, run: (dir: string) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-region-format-" });
  try {
    await Deno.writeTextFile(join(dir, "config"), config);
    run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("S3 region: a malformed AWS_REGION or AWS_DEFAULT_REGION is refused naming the variable", async () => {
  await withAwsFiles("", (dir) => {
    for (const [name, value] of [["AWS_REGION", "eu/west"], ["AWS_DEFAULT_REGION", "eu west"]]) {
      const env = (n: string) =>
        ({
          [name!]: value,
          AWS_CONFIG_FILE: join(dir, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
        })[n];
      const error = assertThrows(
        () =>
          new S3Store({
            bucket: "b",
            env,
            credentials: { accessKeyId: "a", secretAccessKey: "s" },
          }),
        InvalidInputError,
      );
      assertStringIncludes(error.message, `${name} is ${JSON.stringify(value)}`);
    }
  });
});

Deno.test("S3 region: a malformed profile region is refused naming the file and line", async () => {
  await withAwsFiles("[default]\n\nregion = eu west 1\n", (dir) => {
    const env = (n: string) =>
      ({ AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "none") })[n];
    const error = assertThrows(() => resolveS3Settings({}, env), InvalidInputError);
    assertStringIncludes(error.message, `${join(dir, "config")}:3`);
    assertStringIncludes(error.message, '"eu west 1"');
    // vc config's way: reported for its row, the rest still resolved.
    const reported: string[] = [];
    const settings = resolveS3Settings({}, env, (_e, name) => reported.push(name));
    assertEquals(reported, ["region"]);
    assertEquals(settings.requestTimeoutMs > 0, true);
  });
});

Deno.test("S3 region: region names as AWS and S3-compatible servers use them pass", async () => {
  await withAwsFiles("[default]\nregion = us-gov-west-1\n", (dir) => {
    for (const region of [undefined, "eu-west-1", "cn-north-1", "garage", "US-EAST-1"]) {
      const env = (n: string) =>
        ({
          AWS_REGION: region,
          AWS_CONFIG_FILE: join(dir, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"),
        })[n];
      assertEquals(resolveS3Settings({}, env).regionShown, region ?? "us-gov-west-1");
    }
  });
});
