/**
 * S3 locations as users paste them where vc expects `s3://bucket/key`, as a
 * class. An ISO or EU Sovereign Cloud region's URL
 * (`https://b.s3.us-iso-east-1.c2s.ic.gov/k`) was "unsupported scheme https"
 * with no word of the URI meant, and no such host (nor `s3-fips.us-gov-…`,
 * `s3-external-1`) gave its region to a redirect's answer; a URL of another
 * partition lost its region (the `s3://` URI meant is reached only with it);
 * an S3 console link, `s3a://` and `s3n://` got no hint; an access point's
 * host was told it meant `s3://NAME-ACCOUNT/key` (no bucket) and an access
 * point ARN was taken for a local path. Each is now refused naming the input
 * and the form to use, by the one URI parser every command, `openStore` and
 * a manifest read; the AWS hosts by the one partition table.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { InvalidInputError } from "../src/errors.ts";
import { parseUri } from "../src/uri.ts";
import { awsRegionOfHost } from "../src/store/s3_errors.ts";
import { withWorkspace } from "./cli_process.ts";

// [pasted, words the refusal must hold]
const PASTED: [string, string[]][] = [
  ["https://bucket.s3.us-iso-east-1.c2s.ic.gov/key", [
    "did you mean s3://bucket/key",
    "AWS_REGION=us-iso-east-1",
  ]],
  ["https://s3.us-isob-east-1.sc2s.sgov.gov/bucket/a/b.csv", [
    "did you mean s3://bucket/a/b.csv",
    "AWS_REGION=us-isob-east-1",
  ]],
  ["https://my.bucket.s3.eu-isoe-west-1.cloud.adc-e.uk/k", [
    "did you mean s3://my.bucket/k",
    "AWS_REGION=eu-isoe-west-1",
  ]],
  ["https://bucket.s3.us-isof-south-1.csp.hci.ic.gov/k", ["s3://bucket/k", "us-isof-south-1"]],
  ["https://bucket.s3.eusc-de-east-1.amazonaws.eu/k", ["s3://bucket/k", "eusc-de-east-1"]],
  ["https://bucket.s3.cn-north-1.amazonaws.com.cn/k", ["s3://bucket/k", "AWS_REGION=cn-north-1"]],
  // A FIPS host: the URI meant reaches it only with the FIPS setting.
  ["https://bucket.s3-fips.us-gov-west-1.amazonaws.com/k", [
    "did you mean s3://bucket/k (with AWS_REGION=us-gov-west-1 AWS_USE_FIPS_ENDPOINT=true)?",
  ]],
  ["https://s3-fips.dualstack.us-east-2.amazonaws.com/bucket/k", [
    "did you mean s3://bucket/k (with AWS_USE_FIPS_ENDPOINT=true)?",
  ]],
  // The console's links to an object and to a folder.
  ["https://s3.console.aws.amazon.com/s3/object/mybucket?region=eu-west-1&prefix=dir/file.csv", [
    "did you mean s3://mybucket/dir/file.csv?",
  ]],
  [
    "https://eu-west-1.console.aws.amazon.com/s3/buckets/mybucket?region=eu-west-1&bucketType=general&prefix=dir%2Fsub%2F&showversions=false",
    ["did you mean s3://mybucket/dir/sub/?"],
  ],
  ["https://console.amazonaws-us-gov.com/s3/object/gov-b?region=us-gov-west-1&prefix=a.csv", [
    "s3://gov-b/a.csv",
    "AWS_REGION=us-gov-west-1",
  ]],
  // Hadoop's schemes.
  ["s3a://bucket/key", ["did you mean s3://bucket/key?"]],
  ["s3n://bucket/dir/", ["did you mean s3://bucket/dir/?"]],
  // Google Cloud Storage's own URLs, as its gs:// URIs are.
  ["https://storage.googleapis.com/gbucket/a/b.csv", [
    "s3://gbucket/a/b.csv with AWS_ENDPOINT_URL=https://storage.googleapis.com",
  ]],
  ["https://storage.cloud.google.com/gbucket/k", [
    "s3://gbucket/k with AWS_ENDPOINT_URL=https://storage.googleapis.com",
  ]],
  // Another S3-compatible server's URL: the form, and where its server goes.
  ["https://acct.r2.cloudflarestorage.com/bucket/key", ["s3://BUCKET/KEY", "AWS_ENDPOINT_URL"]],
  ["https://bucket.nyc3.digitaloceanspaces.com/key", ["s3://BUCKET/KEY", "AWS_ENDPOINT_URL"]],
  ["http://127.0.0.1:9000/bucket/key", ["s3://BUCKET/KEY", "AWS_ENDPOINT_URL"]],
  // An access point: by its alias, never as a bucket named after its host.
  ["arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/dir/key.csv", [
    "access point",
    "alias",
    "s3://ALIAS/dir/key.csv",
    "--account-id 123456789012 --name my-ap",
  ]],
  ["https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/key", [
    "access point",
    "s3://ALIAS/key",
  ]],
  // Plain `http:`, and a scheme in capitals, are the same URLs.
  ["HTTP://bucket.s3.cn-north-1.amazonaws.com.cn/k", ["s3://bucket/k", "AWS_REGION=cn-north-1"]],
  ["http://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/key", [
    "access point",
    "s3://ALIAS/key",
  ]],
];

Deno.test("parseUri: each pasted S3 form is refused naming it and the form to use", () => {
  for (const [uri, words] of PASTED) {
    const e = assertThrows(() => parseUri(uri), InvalidInputError);
    // The query is not repeated (a presigned URL's signature), the rest is.
    assertStringIncludes(e.message, uri.replace(/\?.*/, ""));
    for (const word of words) assertStringIncludes(e.message, word, uri);
    // Never the access point's host name taken for a bucket.
    assert(!e.message.includes("s3://my-ap-123456789012"), e.message);
  }
});

Deno.test("parseUri: commercial URLs keep their hint without a region", () => {
  const e = assertThrows(
    () => parseUri("https://bucket.s3.dualstack.eu-west-1.amazonaws.com/k"),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "did you mean s3://bucket/k?");
  assert(!e.message.includes("AWS_REGION"), e.message);
});

Deno.test("awsRegionOfHost: every partition's S3 hosts and the legacy forms", () => {
  const hosts: [string, string | undefined][] = [
    ["b.s3.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"],
    ["https://s3.us-isob-east-1.sc2s.sgov.gov/b/k", "us-isob-east-1"],
    ["b.s3.eu-isoe-west-1.cloud.adc-e.uk", "eu-isoe-west-1"],
    ["b.s3.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1"],
    ["b.s3.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1"],
    ["b.s3-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
    ["b.s3-fips.dualstack.us-east-2.amazonaws.com", "us-east-2"],
    ["s3-external-1.amazonaws.com", "us-east-1"],
    ["b.s3.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1"],
    ["b.s3-eu-west-2.amazonaws.com", "eu-west-2"],
    ["b.s3.amazonaws.com", undefined],
    ["s3.eu-central-1.wasabisys.com", undefined],
    // A region of another partition than the host's is no AWS host.
    ["b.s3.eu-west-1.c2s.ic.gov", undefined],
  ];
  for (const [host, region] of hosts) assertEquals(awsRegionOfHost(host), region, host);
});

Deno.test("vc cache get: an access point ARN is refused, not looked for as a local file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-pasted-s3-url-" });
  try {
    const env = { HOME: dir, VC_CACHE_DIR: join(dir, "cache") };
    for (const [uri, words] of PASTED) {
      const io = memoryIo({ cwd: dir, env });
      assertEquals(await runCli(["cache", "get", uri], io), 2, io.stderr());
      for (const word of words) assertStringIncludes(io.stderr(), word, uri);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a manifest override in a pasted S3 form is refused with the same hint", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    const manifest = join(dir, "versioned_assets.json");
    // `arn:aws:s3:::b/x` and `s3:b/x` hold no `://`: they were local paths
    // beside the manifest ("… does not exist"), with no word of the URI meant.
    const forms: [string, string][] = [
      ["arn:aws:s3:::bucket/x.csv", "did you mean s3://bucket/x.csv?"],
      ["s3:bucket/x.csv", "did you mean s3://bucket/x.csv?"],
      ...PASTED.map(([uri, words]): [string, string] => [uri, words[0]!]),
    ];
    for (const [override, hint] of forms) {
      await Deno.writeTextFile(manifest, JSON.stringify({ "/x.csv": override }) + "\n");
      const r = await vc(["path", "/x.csv", "--manifest", manifest]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "is invalid", override);
      assertStringIncludes(r.stderr, hint, override);
    }
  });
});
