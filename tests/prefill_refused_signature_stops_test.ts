/**
 * A CI job with a wrong secret key (403 `SignatureDoesNotMatch` on every
 * request) sent a GET for each of 1000 items and printed the same long
 * refusal for 20 of them: the first items of a store all refused alike, none
 * downloaded, are the store's refusal of the credentials, and its other
 * items are not tried (each still counted, `not tried: …`). A refusal of
 * some keys only (a bucket policy on a prefix) stops nothing.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { errorXml } from "./s3_proxy.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

// The MD5 of "ok": the ETag vc checks a download against.
const OK_MD5 = "444bcb3a3fcf8389296c49467f27e1d6";

interface Failure {
  item: string;
  error: string;
  errorName: string;
}

Deno.test("vc prefill: a wrong secret key stops the store's items after its first ones", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await withWorkspace(async (dir, vc) => {
    const list = `${dir}/list.txt`;
    await Deno.writeTextFile(
      list,
      Array.from({ length: 200 }, (_, i) => `s3://assets/k${i}.bin\n`).join(""),
    );
    for (let i = 0; i < 200; i++) await s3.putObject("assets", `k${i}.bin`, `x${i}`);
    const before = s3.stats.total;
    const env = { ...testAwsEnv(s3.url), AWS_SECRET_ACCESS_KEY: "wrong-secret" };
    const run = await vc(["prefill", "--list", list, "--json", "--concurrency", "4"], env);
    assertEquals(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    const failed: Failure[] = report.failed;
    // Every item accounted for: failed, the ones not asked for saying so.
    assertEquals([report.total, failed.length, report.fetched], [200, 200, 0]);
    assertEquals([...new Set(failed.map((f) => f.errorName))], ["AccessDeniedError"]);
    const notTried = failed.filter((f) => f.error.startsWith("not tried: "));
    assert(notTried.length >= 180, `${notTried.length} of 200 not tried`);
    assertStringIncludes(notTried[0]!.error, "s3://assets refused the credentials from");
    assertStringIncludes(notTried[0]!.error, "(403 SignatureDoesNotMatch)");
    const asked = s3.stats.total - before;
    assert(asked <= 16, `${asked} requests for 200 items`);
    // The log: the one refusal said at length, the rest on one line.
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("vc: prefill failed: "));
    assertEquals(lines.length, 2, run.stderr);
    assertStringIncludes(
      run.stderr,
      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the environment",
    );
  });
});

/**
 * Runs `vc prefill --json --concurrency 1` of `uris` against a store that
 * answers 403 `AccessDenied` (a bucket policy) for the keys `refused` names
 * and "ok" for the others: its report and how many requests it sent.
 */
async function prefillUnderPolicy(
  uris: string[],
  refused: (path: string) => boolean,
): Promise<{ report: { fetched: number; failed: Failure[] }; requests: number }> {
  let requests = 0;
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (req) => {
      requests++;
      if (!refused(new URL(req.url).pathname)) {
        return new Response("ok", { headers: { etag: `"${OK_MD5}"` } });
      }
      return new Response(errorXml("AccessDenied", "Access Denied"), {
        status: 403,
        headers: { "content-type": "application/xml" },
      });
    },
  );
  try {
    let report: { fetched: number; failed: Failure[] } | undefined;
    await withWorkspace(async (dir, vc) => {
      const list = `${dir}/list.txt`;
      await Deno.writeTextFile(list, uris.join("\n"));
      const run = await vc(["prefill", "--list", list, "--json", "--concurrency", "1"], {
        ...testAwsEnv(`http://127.0.0.1:${server.addr.port}`),
        AWS_MAX_ATTEMPTS: "1",
      });
      assertEquals(run.code, 1, run.stderr);
      report = JSON.parse(run.stdout);
    });
    return { report: report!, requests };
  } finally {
    ac.abort();
    await server.finished;
  }
}

Deno.test("vc prefill: keys a bucket policy refuses stop none of the others", async () => {
  // Every other key refused (403 AccessDenied), the first 12 of them in a row;
  // an allowed key first: the credentials work.
  const { report, requests } = await prefillUnderPolicy(
    ["s3://bkt/allowed.txt", ...Array.from({ length: 60 }, (_, i) => `s3://bkt/k${i}.txt`)],
    (key) => {
      const n = Number(/\/k(\d+)\./.exec(key)?.[1]);
      return n < 12 || n % 2 === 0;
    },
  );
  assertEquals(report.fetched, 1 + 24);
  assertEquals(report.failed.length, 36);
  assertEquals(report.failed.filter((f) => f.error.startsWith("not tried: ")), []);
  assertEquals(requests, 61);
});

Deno.test("vc prefill: a bucket policy refusing the list's first keys stops none of the later ones", async () => {
  // A policy denies `private/` (403 AccessDenied), listed first: the items
  // after it are allowed. Were the first refusals taken for the store's,
  // every run would stop at them again, the later items never fetched.
  const { report, requests } = await prefillUnderPolicy(
    [
      ...Array.from({ length: 12 }, (_, i) => `s3://bkt/private/k${i}.txt`),
      ...Array.from({ length: 20 }, (_, i) => `s3://bkt/public/k${i}.txt`),
    ],
    (key) => key.includes("/private/"),
  );
  assertEquals(report.failed.filter((f) => f.error.startsWith("not tried: ")), []);
  assertEquals([report.fetched, report.failed.length, requests], [20, 12, 32]);
});
