/**
 * A bucket in another region than the one configured: vc follows S3's
 * region redirect (see s3_region_redirect_follow_test.ts), but said nothing,
 * so every new `vc` process paid the extra round trip per bucket without the
 * user knowing why. The CLI now says it once per bucket per run on stderr
 * (also with --json, whose stdout stays the document; not with --quiet),
 * naming the bucket, both regions and the setting to change.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, testAwsEnv, withWorkspace } from "./cli_process.ts";

/** The stderr lines that name `bucket`'s region. */
function regionLines(stderr: string, bucket: string): string[] {
  return stderr.split("\n").filter((l) => l.includes(`bucket ${bucket} is in region`));
}

Deno.test("vc: a followed region redirect is said once per bucket, naming both regions and AWS_REGION", async () => {
  await using s3 = await startFakeS3({
    buckets: ["eu-data", "ap-data", "us-data"],
    bucketRegions: { "eu-data": "eu-west-1", "ap-data": "ap-southeast-2" },
  });
  const items: string[] = [];
  for (let i = 0; i < 6; i++) {
    await s3.putObject("eu-data", `e${i}.txt`, `e${i}\n`);
    items.push(`s3://eu-data/e${i}.txt`);
  }
  await s3.putObject("ap-data", "a.txt", "a\n");
  await s3.putObject("us-data", "u.txt", "u\n");
  items.push("s3://ap-data/a.txt", "s3://us-data/u.txt");
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(`${dir}/list.txt`, items.join("\n") + "\n");
    const env = testAwsEnv(s3.url); // AWS_REGION=us-east-1
    // The release process: a fresh process learns the regions anew.
    const run = ok(await vc(["prefill", "--list", "list.txt"], env), "prefill");
    const eu = regionLines(run.stderr, "eu-data");
    assertEquals(eu.length, 1, run.stderr);
    assertStringIncludes(
      eu[0]!,
      "vc: warning: bucket eu-data is in region eu-west-1, not us-east-1",
    );
    assertStringIncludes(eu[0]!, "set AWS_REGION=eu-west-1");
    const ap = regionLines(run.stderr, "ap-data");
    assertEquals(ap.length, 1, run.stderr);
    assertStringIncludes(ap[0]!, "ap-southeast-2, not us-east-1");
    // The bucket in the configured region: nothing to say.
    assertEquals(regionLines(run.stderr, "us-data"), []);

    // --json: said on stderr, stdout stays the document.
    await Deno.writeTextFile(`${dir}/one.txt`, "s3://eu-data/e0.txt\n");
    const json = ok(
      await vc(["prefill", "--list", "one.txt", "--json"], { ...env, VC_CACHE_DIR: `${dir}/c2` }),
      "prefill --json",
    );
    assertEquals(regionLines(json.stderr, "eu-data").length, 1, json.stderr);
    assertEquals(JSON.parse(json.stdout).fetched, 1);

    // Set as said: no redirect, no line.
    const set = ok(
      await vc(["cache", "get", "s3://eu-data/e1.txt"], {
        ...env,
        AWS_REGION: "eu-west-1",
        VC_CACHE_DIR: `${dir}/c3`,
      }),
      "cache get",
    );
    assert(!set.stderr.includes("is in region"), set.stderr);
  });
});
