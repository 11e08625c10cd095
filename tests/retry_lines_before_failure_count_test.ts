/**
 * The retries the CLI did not show are counted when the command ends, and
 * before the last line of a run that stopped or failed, which stays its
 * last (the one a CI log's tail shows). `vc sync`, `vc lock`, `vc verify`
 * and `vc mirror` with something failed printed their count line
 * (`vc: 1 of 3 manifest entries failed; …`, `vc: mirror: 1 failed; …`)
 * and then `... and 1 more retry not shown (2 in all)` after it.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { type CliResult, CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { retryLineAccount } from "./retry_line_account.ts";

/**
 * `vc args` in a workspace whose manifest pins `/a.txt`, `/b.txt` and
 * `/bad.txt` in a fake S3 bucket, every request for the `bad` object
 * failing with a 500 (3 attempts: 2 retries); its result.
 */
async function runWithOneFailing(args: (ws: CliWorkspace) => string[]): Promise<CliResult> {
  await using fake = await startFakeS3({ buckets: ["b"] });
  await using ws = await CliWorkspace.create();
  const env = { ...fake.env, VC_BUCKET: "s3://b/v", AWS_MAX_ATTEMPTS: "3" };
  let got: CliResult | undefined;
  await withProcessEnv(env, async () => {
    for (const name of ["a", "b", "bad"]) {
      await ws.write(`${name}.txt`, `${name}\n`);
      const add = await ws.run(["add", `/${name}.txt`, `${name}.txt`], env);
      assertEquals(add.code, 0, add.stderr);
    }
    fake.faults = {
      errorRate: 1,
      errorKind: "internal",
      match: (t) => (t.key ?? "").includes("bad"),
    };
    got = await ws.run(args(ws), { ...env, VC_CACHE_DIR: ws.path("cold-cache") });
  });
  return got!;
}

function assertCountedBeforeLastLine(got: CliResult, last: string): void {
  assertEquals(got.code, 1, got.stderr);
  const said = retryLineAccount(got.stderr);
  assertEquals(said.retries, 2, got.stderr);
  const lines = got.stderr.trimEnd().split("\n");
  assert(lines.at(-1)!.startsWith(last), got.stderr);
}

Deno.test("vc sync: with entries failed, the retries not shown are counted before the last line", async () => {
  const got = await runWithOneFailing((ws) => ["sync", ws.path("out")]);
  assertCountedBeforeLastLine(got, "vc: 1 of 3 manifest entries failed; 2 copied to ");
});

Deno.test("vc lock: with entries not locked, the retries not shown are counted before the last line", async () => {
  const got = await runWithOneFailing((ws) => {
    // Unlocked again: lock reads each entry to hash it.
    Deno.removeSync(ws.path("versioned_assets.lock.json"));
    return ["lock"];
  });
  assertCountedBeforeLastLine(got, "vc: 1 of 3 manifest entries could not be locked; 2 added to ");
});

Deno.test("vc lock --check: with entries not checked, the retries not shown are counted before the last line", async () => {
  const got = await runWithOneFailing(() => ["lock", "--check"]);
  assertCountedBeforeLastLine(got, "vc: 1 of 3 manifest entries differs from ");
});

Deno.test("vc verify: with entries failed, the retries not shown are counted before the last line", async () => {
  const got = await runWithOneFailing(() => ["verify"]);
  assertCountedBeforeLastLine(got, "vc: 1 of 3 manifest entries failed verification");
});

Deno.test("vc mirror: with files failed, the retries not shown are counted before the last line", async () => {
  const got = await runWithOneFailing((ws) => {
    for (const name of ["a", "b", "bad"]) Deno.writeTextFileSync(ws.path(`${name}.txt`), name);
    Deno.mkdirSync(ws.path("src"));
    for (const name of ["a", "b", "bad"]) {
      Deno.renameSync(ws.path(`${name}.txt`), ws.path(`src/${name}.txt`));
    }
    return ["mirror", ws.path("src"), "s3://b/m"];
  });
  assertCountedBeforeLastLine(got, "vc: mirror: 1 failed; the rest was mirrored");
});
