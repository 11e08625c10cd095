/**
 * The S3 endpoint and addressing style an AWS profile names, as the aws CLI
 * reads them: `endpoint_url`, a `services` section's `s3` block, `s3 =
 * addressing_style`, and the switches that ignore configured endpoints. vc
 * used to ignore all of them, so `AWS_PROFILE=minio vc ...` went to AWS while
 * `aws s3 ls` went to MinIO.
 */
import { assertEquals } from "./assert.ts";
import { mkfifo } from "./fifo.ts";
import { activeProfileS3 } from "../src/store/aws_profile.ts";
import { resolveS3Endpoint, resolveS3Settings } from "../src/store/s3_config.ts";

const CONFIG = [
  "# comment",
  "[default]",
  "region = us-west-2",
  "endpoint_url = http://default.example:9000",
  "",
  "[profile lan]",
  "Endpoint_URL = http://minio.lan.example:9000",
  "s3 =",
  "  addressing_style = path",
  "",
  "[profile svc]",
  "endpoint_url = http://global.example:1",
  "services = mine",
  "s3 =",
  "  addressing_style = virtual",
  "",
  "[services mine]",
  "s3 =",
  "  endpoint_url = http://s3only.example:2",
  "",
  "[profile quiet]",
  "endpoint_url = http://quiet.example:3",
  "ignore_configured_endpoint_urls = true",
  "",
  "[profile plain]",
  "region = eu-west-1",
].join("\r\n"); // as Notepad writes it

function withConfig(
  fn: (env: (vars: Record<string, string>) => (n: string) => string | undefined) => void,
) {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_profile_" });
  try {
    Deno.mkdirSync(`${dir}/.aws`);
    Deno.writeTextFileSync(`${dir}/.aws/config`, CONFIG);
    fn((vars) => (n) => ({ HOME: dir, ...vars })[n]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("aws profile: the active profile's endpoint_url and addressing style are read", () => {
  withConfig((env) => {
    assertEquals(activeProfileS3(env({}))?.endpoint?.value, "http://default.example:9000");
    const lan = activeProfileS3(env({ AWS_PROFILE: "lan" }));
    assertEquals(lan?.endpoint?.value, "http://minio.lan.example:9000");
    assertEquals(lan?.pathStyle, true);
    // The services section's s3 endpoint wins over the profile's global one.
    const svc = activeProfileS3(env({ AWS_PROFILE: "svc" }));
    assertEquals(svc?.endpoint?.value, "http://s3only.example:2");
    assertEquals(svc?.pathStyle, false);
    assertEquals(activeProfileS3(env({ AWS_PROFILE: "plain" }))?.endpoint, undefined);
    assertEquals(activeProfileS3(env({ AWS_PROFILE: "nosuch" })), undefined);
    // AWS_CONFIG_FILE names another file (a leading ~/ is HOME); a missing one is no profile.
    assertEquals(activeProfileS3(env({ AWS_CONFIG_FILE: "~/.aws/config" }))?.profile, "default");
    assertEquals(activeProfileS3(env({ AWS_CONFIG_FILE: "/nonexistent/vc/config" })), undefined);
  });
});

Deno.test("aws profile: endpoint precedence is option > env > services s3 > profile, as in the aws CLI", () => {
  withConfig((env) => {
    const lan = env({ AWS_PROFILE: "lan" });
    const chosen = resolveS3Endpoint({}, lan);
    assertEquals(chosen?.endpoint, "http://minio.lan.example:9000");
    assertEquals(chosen?.origin, "profile");
    assertEquals(
      chosen?.source,
      `endpoint_url of AWS profile "lan" in ${lan("HOME")}/.aws/config:7`,
    );
    assertEquals(
      resolveS3Endpoint({}, env({ AWS_PROFILE: "lan", AWS_ENDPOINT_URL: "http://env.example" }))
        ?.endpoint,
      "http://env.example",
    );
    assertEquals(
      resolveS3Endpoint({ endpoint: "http://opt.example" }, lan)?.origin,
      "option",
    );
    assertEquals(
      resolveS3Endpoint({}, env({ AWS_PROFILE: "svc" }))?.endpoint,
      "http://s3only.example:2",
    );
    // Either switch ignores the environment's endpoints and the profile's alike.
    assertEquals(
      resolveS3Endpoint(
        {},
        env({ AWS_PROFILE: "lan", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }),
      ),
      undefined,
    );
    assertEquals(
      resolveS3Endpoint({}, env({ AWS_PROFILE: "quiet", AWS_ENDPOINT_URL: "http://env.example" })),
      undefined,
    );
    assertEquals(
      resolveS3Endpoint({ endpoint: "http://o.example" }, env({ AWS_PROFILE: "quiet" }))
        ?.endpoint,
      "http://o.example",
    );
  });
});

Deno.test("aws profile: addressing_style sets path style unless VC_S3_PATH_STYLE or the option does", () => {
  withConfig((env) => {
    // A DNS name would be virtual-hosted; the profile says path.
    assertEquals(resolveS3Settings({}, env({ AWS_PROFILE: "lan" })).forcePathStyle, true);
    assertEquals(
      resolveS3Settings({}, env({ AWS_PROFILE: "lan", VC_S3_PATH_STYLE: "0" })).forcePathStyle,
      false,
    );
    assertEquals(
      resolveS3Settings({ forcePathStyle: false }, env({ AWS_PROFILE: "lan" })).forcePathStyle,
      false,
    );
    // `virtual` against an IP endpoint from the environment: the profile is obeyed.
    assertEquals(
      resolveS3Settings({}, env({ AWS_PROFILE: "svc", AWS_ENDPOINT_URL: "http://127.0.0.1:9" }))
        .forcePathStyle,
      false,
    );
    assertEquals(
      resolveS3Settings({}, env({ AWS_PROFILE: "plain", AWS_ENDPOINT_URL: "http://127.0.0.1:9" }))
        .forcePathStyle,
      true,
    );
  });
});

Deno.test({
  name:
    "aws profile: a FIFO or a device as the AWS config file is not opened (it would block the process)",
  ignore: Deno.build.os === "windows", // FIFOs are POSIX
  fn: () => {
    const dir = Deno.makeTempDirSync();
    try {
      const fifo = `${dir}/config`;
      mkfifo(fifo);
      // Before: a synchronous read that waited for a writer, deaf to Ctrl-C.
      for (const file of [fifo, "/dev/zero"]) {
        const env = (n: string) => ({ AWS_CONFIG_FILE: file, AWS_PROFILE: "m" })[n];
        assertEquals(activeProfileS3(env), undefined);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("aws profile: a header followed by a comment is that profile's, as botocore and the JS SDK read it", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_profile_ini_" });
  try {
    // botocore and the JS SDK read `[profile c] ; note` as profile c. vc
    // missed the header: profile c's endpoint and region went to profile b
    // (b's requests and keys to c's endpoint) and c had none.
    Deno.writeTextFileSync(
      `${dir}/config`,
      [
        "[profile b]",
        "region = eu-west-2",
        "[profile c] ; staging MinIO",
        "region = eu-west-3",
        "endpoint_url = http://c.example:9000",
      ].join("\n"),
    );
    const read = (profile: string) =>
      activeProfileS3((n) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_PROFILE: profile })[n]);
    assertEquals(read("b")?.region, "eu-west-2");
    assertEquals(read("b")?.endpoint, undefined);
    assertEquals(read("c")?.region, "eu-west-3");
    assertEquals(read("c")?.endpoint?.value, "http://c.example:9000");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("aws profile: a comment after a value is no part of it, as the JS SDK reads it", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_profile_ini_" });
  try {
    // The SDK (vc's credentials and region) read `eu-west-1`; vc read
    // `eu-west-1 # prod` (shown by `vc config`) and refused the endpoint
    // `http://c.example:9000 ; staging` as no URL.
    Deno.writeTextFileSync(
      `${dir}/config`,
      [
        "[profile c]",
        "region = eu-west-1 # prod",
        "endpoint_url = http://c.example:9000 ; staging",
        "s3 =  # path-style for MinIO",
        "  addressing_style = path\t# not virtual",
      ].join("\n"),
    );
    const env = (n: string) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_PROFILE: "c" })[n];
    const p = activeProfileS3(env);
    assertEquals(p?.region, "eu-west-1");
    assertEquals(p?.endpoint?.value, "http://c.example:9000");
    assertEquals(p?.pathStyle, true);
    assertEquals(resolveS3Settings({}, env).regionShown, "eu-west-1");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("aws profile: a quoted profile name in a header is that profile, as for the aws CLI", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc_aws_profile_ini_" });
  try {
    // `aws s3 ls` (and the SDK's region) took `[profile "lab"]` as lab; vc
    // found no profile lab and sent lab's requests to AWS.
    Deno.writeTextFileSync(
      `${dir}/config`,
      '[profile "lab"]\nregion = eu-west-1\nendpoint_url = http://lab.example:9000\n' +
        "services = svc\n[services 'svc']\ns3 =\n  endpoint_url = http://s3.lab.example:9000\n",
    );
    const env = (n: string) => ({ AWS_CONFIG_FILE: `${dir}/config`, AWS_PROFILE: "lab" })[n];
    const p = activeProfileS3(env);
    assertEquals(p?.region, "eu-west-1");
    assertEquals(p?.endpoint?.value, "http://s3.lab.example:9000");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
