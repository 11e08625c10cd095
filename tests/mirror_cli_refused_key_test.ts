/**
 * `vc mirror` with a key the store refuses a whole kind of request to: a
 * listing-only key (no s3:PutObject), or an upload-only one with `--delete`
 * (no s3:DeleteObject). Each file and each object got its own line of the
 * same 403 (10,000 files: 10,000 lines), and the run ended with "the rest
 * was mirrored" though nothing was. One line per refusal now names the
 * first few keys and how many more, the exit code is 1, and nothing in the
 * store is lost.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { proxiedS3Env, startForwardingProxy } from "./forwarding_proxy.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const DENIED = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";

/**
 * Runs `vc mirror data s3://bkt/pre --delete` through a proxy refusing what
 * `refused` says, with files `names` (f0.txt to f5.txt) in `data`.
 */
async function refusedRun(
  refused: (req: Request) => boolean,
  names: readonly string[] = [0, 1, 2, 3, 4, 5].map((i) => `f${i}.txt`),
) {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  for (const name of names) await ws.write(`data/${name}`, `file ${name}`);
  for (let i = 0; i < 5; i++) await fake.putObject("bkt", `pre/old${i}.txt`, "old");
  const proxy = startForwardingProxy(fake.url, (req) => {
    const url = new URL(req.url);
    const listing = url.searchParams.has("list-type") || url.searchParams.has("uploads");
    // No s3:GetObject in either case.
    if (req.method === "HEAD" || (req.method === "GET" && !listing) || refused(req)) {
      return new Response(req.method === "HEAD" ? null : DENIED, {
        status: 403,
        headers: { "content-type": "application/xml" },
      });
    }
    return undefined;
  });
  try {
    const env = proxiedS3Env(fake.env, proxy);
    let run: Awaited<ReturnType<typeof ws.run>> | undefined;
    await withProcessEnv(env, async () => {
      run = await ws.run(["mirror", "data", "s3://bkt/pre", "--state", "s.db", "--delete"], env);
    });
    return { run: run!, keys: fake.listKeys("bkt") };
  } finally {
    await proxy.shutdown();
  }
}

Deno.test("vc mirror, listing-only key: one line for the refused uploads, one for the refused deletes, exit 1, nothing lost", async () => {
  const { run, keys } = await refusedRun((req) =>
    req.method === "PUT" || req.method === "POST" || req.method === "DELETE"
  );
  assertEquals(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assertEquals(lines.filter((l) => l.includes("access denied")).length, 2, run.stderr);
  assertStringIncludes(run.stderr, "6 paths (");
  assertStringIncludes(run.stderr, "5 paths (");
  assertEquals(run.stderr.includes("the rest was mirrored"), false, run.stderr);
  assertEquals(keys, [0, 1, 2, 3, 4].map((i) => `pre/old${i}.txt`));
});

Deno.test("vc mirror --delete, upload-only key: the refused deletes said in one line, exit 1, uploads done", async () => {
  const { run, keys } = await refusedRun((req) =>
    req.method === "DELETE" || new URL(req.url).searchParams.has("delete")
  );
  assertEquals(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assertEquals(lines.filter((l) => l.includes("access denied")).length, 1, run.stderr);
  assertStringIncludes(run.stderr, "5 paths (");
  assertEquals(keys.length, 11);
});

Deno.test("vc mirror, listing-only key: the refused uploads' line names the first paths in key order by UTF-8 bytes", async () => {
  // UTF-16 code units put the emoji (a surrogate pair, D83D) first; S3 and
  // `vc mirror`'s listings put U+FF21 (EF BC A1 in UTF-8) first.
  const names = ["a\u{1F600}.txt", "a\uFF21.txt"];
  const { run } = await refusedRun((req) => req.method === "PUT" || req.method === "POST", names);
  assertEquals(run.code, 1, run.stderr);
  const line = run.stderr.split("\n").find((l) => l.includes("2 paths (")) ?? "";
  assertEquals(line.indexOf(names[1]!) < line.indexOf(names[0]!), true, run.stderr);
  assertEquals(line.includes(names[0]!), true, run.stderr);
});
