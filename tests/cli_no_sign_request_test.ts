/**
 * `--no-sign-request` (and `VC_S3_ANONYMOUS=1`) through the CLI: every
 * reading command reads a public bucket on a machine without AWS
 * credentials (asset cache `cache get`, `prefill --list`, versioned `path`,
 * `cat`, `versions`, `mirror` from the store); writes (`add`, `mirror` to the
 * store) are refused naming the setting; `vc config` shows it. Before, each
 * of them failed with "no usable AWS credentials".
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string };

Deno.test("--no-sign-request reads a public bucket with every reading command, and refuses writes", async () => {
  await using s3 = await startFakeS3({
    buckets: ["open-data", "private-data"],
    publicBuckets: ["open-data"],
  });
  await s3.putObject("open-data", "ghcn/a.csv", "station,temp\n");
  await s3.putObject("open-data", "v/bar.1.0.0.csv", "v1\n");
  await s3.putObject("open-data", "v/bar.1.1.0.csv", "v11\n");
  await using ws = await CliWorkspace.create();
  // No credentials anywhere: no keys, no shared files, no instance metadata.
  const env = {
    AWS_ENDPOINT_URL: s3.url,
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: `${ws.dir}/none/config`,
    AWS_SHARED_CREDENTIALS_FILE: `${ws.dir}/none/credentials`,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  // In process, the stores read the process's environment.
  const vc = async (args: string[], extra: Record<string, string> = {}) => {
    let result: CliResult | undefined;
    await withProcessEnv({ ...env, VC_S3_ANONYMOUS: "", ...extra }, async () => {
      result = await ws.run(args, extra);
    });
    return result!;
  };

  const signed = await vc(["cache", "get", "s3://open-data/ghcn/a.csv"]);
  assertEquals(signed.code, 1, signed.stderr);
  assertMatch(
    signed.stderr,
    /no usable AWS credentials.*VC_S3_ANONYMOUS=1 \(vc's --no-sign-request\)/,
  );

  const got = await vc(["cache", "get", "--no-sign-request", "s3://open-data/ghcn/a.csv"]);
  assertEquals(got.code, 0, got.stderr);
  assertEquals(await Deno.readTextFile(got.stdout.trim()), "station,temp\n");

  await ws.write("list.txt", "s3://open-data/ghcn/a.csv\ns3://open-data/v/bar.1.1.0.csv\n");
  const prefill = await vc(["prefill", "--list", "list.txt"], { VC_S3_ANONYMOUS: "1" });
  assertEquals(prefill.code, 0, prefill.stderr);

  await ws.write("versioned_assets.json", '{\n    "/v/bar.csv": "1.0.0"\n}\n');
  const bucket = ["--bucket", "s3://open-data", "--no-sign-request"];
  const path = await vc(["path", "/v/bar.csv", ...bucket]);
  assertEquals(path.code, 0, path.stderr);
  assertEquals(await Deno.readTextFile(path.stdout.trim()), "v1\n");
  const cat = await vc(["cat", "/v/bar.csv", "1.1.0", ...bucket]);
  assertEquals([cat.code, cat.stdout], [0, "v11\n"], cat.stderr);
  const versions = await vc(["versions", "/v/bar.csv", ...bucket]);
  assertEquals([versions.code, versions.stdout], [0, "1.0.0\n1.1.0\n"], versions.stderr);

  const down = await vc(["mirror", "--no-sign-request", "s3://open-data/ghcn", `${ws.dir}/down`]);
  assertEquals(down.code, 0, down.stderr);
  assertEquals(await Deno.readTextFile(`${ws.dir}/down/a.csv`), "station,temp\n");

  const before = s3.listKeys("open-data");
  const up = await vc(["mirror", "--no-sign-request", `${ws.dir}/down`, "s3://open-data/up"]);
  assertEquals(up.code, 1, up.stderr);
  assertMatch(up.stderr, /mirror target s3:\/\/open-data\/up: this store sends unsigned requests/);
  await ws.write("x.csv", "x\n");
  const add = await vc(["add", "/x.csv", "x.csv", ...bucket]);
  assertEquals(add.code, 1, add.stderr);
  assertStringIncludes(add.stderr, "refused: this store sends unsigned requests");
  assertEquals(s3.listKeys("open-data"), before);

  const denied = await vc(["cache", "get", "s3://private-data/secret.csv"], {
    VC_S3_ANONYMOUS: "1",
  });
  assertEquals(denied.code, 1, denied.stderr);
  assertMatch(
    denied.stderr,
    /sent unsigned .*bucket private-data does not allow that: it is not public/,
  );
});

Deno.test("vc config shows s3Anonymous and where it comes from, and no credentials to sign with", async () => {
  await using ws = await CliWorkspace.create();
  const rows = async (args: string[], env: Record<string, string>) => {
    const run = await ws.run(["config", "--json", ...args], env);
    assertEquals(run.code, 0, run.stderr);
    const all = run.json<Row[]>();
    return [all.find((r) => r.name === "s3Anonymous"), all.find((r) => r.name === "s3Credentials")];
  };
  const [off] = await rows([], {});
  assertEquals(off, { name: "s3Anonymous", value: false, source: "default" });
  const [env, credentials] = await rows([], { VC_S3_ANONYMOUS: "1" });
  assertEquals(env, { name: "s3Anonymous", value: true, source: "env VC_S3_ANONYMOUS" });
  assertEquals(credentials?.value, null);
  assertStringIncludes(credentials!.source, "requests go unsigned");
  const [flag] = await rows(["--no-sign-request"], { VC_S3_ANONYMOUS: "0" });
  assertEquals(flag, { name: "s3Anonymous", value: true, source: "flag --no-sign-request" });
  const bad = await ws.run(["config", "--json"], { VC_S3_ANONYMOUS: "maybe" });
  assertEquals(bad.code, 1);
  assertStringIncludes(bad.stdout + bad.stderr, "VC_S3_ANONYMOUS");
});
