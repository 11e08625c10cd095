/**
 * A CI list of 1000 items of a bucket that does not exist (a typo in its
 * name, another endpoint) sent a GET for each, every one answered
 * `NoSuchBucket`: after the first such answer, the bucket's other items are
 * not tried (each still counted, `not tried: its bucket … does not exist`),
 * and the log keeps its one line for them all. A `file://` store's missing
 * directory stops nothing of another directory's items.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

interface Failure {
  item: string;
  error: string;
  errorName: string;
}

Deno.test("vc prefill: a bucket that does not exist is asked about once", async () => {
  await using s3 = await startFakeS3({ buckets: ["real"] });
  await s3.putObject("real", "here.txt", "here");
  await withWorkspace(async (dir, vc) => {
    const list = `${dir}/list.txt`;
    const uris = Array.from({ length: 200 }, (_, i) => `s3://nobucket/k${i}.bin`);
    await Deno.writeTextFile(list, [...uris, "s3://real/here.txt"].join("\n") + "\n");
    const env = { ...s3.env, AWS_MAX_ATTEMPTS: "1" };
    const before = s3.stats.total;
    const json = await vc(["prefill", "--list", list, "--json", "--concurrency", "4"], env);
    assertEquals(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    const failed: Failure[] = report.failed;
    // Every item accounted for; the other bucket's fetched.
    assertEquals([report.total, failed.length, report.fetched], [201, 200, 1]);
    assertEquals([...new Set(failed.map((f) => f.errorName))], ["NotFoundError"]);
    const notTried = failed.filter((f) => f.error.startsWith("not tried: "));
    assert(notTried.length >= 190, `${notTried.length} of 200 not tried`);
    assertStringIncludes(notTried[0]!.error, "its bucket s3://nobucket does not exist at");
    const asked = s3.stats.total - before;
    assert(asked <= 8, `${asked} requests for 201 items`);
    // Its one line in the log.
    const text = await vc(["prefill", "--list", list, "--concurrency", "4"], env);
    const lines = text.stderr.split("\n").filter((l) => l.startsWith("vc: prefill failed: "));
    assertEquals(lines.length, 1, text.stderr);
    assertStringIncludes(lines[0]!, "200 items (s3://nobucket/k0.bin, s3://nobucket/k1.bin");
    assertStringIncludes(lines[0]!, "check the bucket name and the endpoint");
  });
});

Deno.test("vc prefill: a file:// store's missing directory stops no other directory", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(`${dir}/store`);
    const items = Array.from({ length: 20 }, (_, i) => `f${i}.txt`);
    for (const f of items) await Deno.writeTextFile(`${dir}/store/${f}`, f);
    const list = `${dir}/list.txt`;
    await Deno.writeTextFile(
      list,
      [
        ...items.map((f) => `file://${dir}/gone/${f}`),
        ...items.map((f) => `file://${dir}/store/${f}`),
      ].join("\n") + "\n",
    );
    const run = await vc(["prefill", "--list", list, "--json", "--concurrency", "2"]);
    assertEquals(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assertEquals([report.fetched + report.alreadyCached, report.failed.length], [20, 20]);
  });
});
