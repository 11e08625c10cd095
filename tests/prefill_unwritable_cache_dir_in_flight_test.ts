/**
 * A cold prefill into a cache dir that cannot be written (a CI cache restored
 * as another user, a read-only mount) says why once: the items not tried
 * refer to the first failure, and so now do the items in flight with it,
 * which each said it at length (16 near-identical lines of the 20 a CI log
 * shows, at the default concurrency).
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { canMount, tmpfsScratch } from "./mounts.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

Deno.test({
  name:
    "prefill: an unwritable cache dir is said once, also by the items in flight with the first " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await withS3Cache(async (s3, make) => {
      const uris = Array.from({ length: 100 }, (_, i) => `s3://b/k${i}.txt`);
      for (let i = 0; i < 100; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
      await using scratch = await tmpfsScratch("vc-prefill-unwritable-in-flight-", {
        options: "size=4m,ro,mode=755",
      });
      const mnt = scratch.mnt;
      const summary = await prefill({ cache: make({ cacheDir: mnt }), uris, concurrency: 16 });
      assertEquals(summary.failed.length, 100);
      assertEquals([...new Set(summary.failed.map((f) => f.errorName))], ["AccessDeniedError"]);
      const long = summary.failed.filter((f) =>
        f.error.includes(`cannot write to the cache dir ${mnt}`)
      );
      assertEquals(long.map((f) => f.item).length, 1, long.map((f) => f.error).join("\n"));
      const first = long[0]!.item;
      for (const f of summary.failed.filter((f) => f.item !== first)) {
        assertStringIncludes(
          f.error,
          `the cache dir ${mnt} cannot be written (the failure of ${first} says why)`,
        );
      }
    }, { maxAttempts: 1 });
  },
});

Deno.test({
  name: "vc prefill: the failure that says why is shown, whatever the concurrency " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    for (let i = 0; i < 100; i++) await s3.putObject("b", `k${i}.txt`, `v${i}`);
    await withWorkspace(async (dir, vc) => {
      const list = `${dir}/list.txt`;
      await Deno.writeTextFile(
        list,
        Array.from({ length: 100 }, (_, i) => `s3://b/k${i}.txt\n`).join(""),
      );
      await using scratch = await tmpfsScratch("vc-prefill-unwritable-in-flight-cli-", {
        options: "size=4m,ro,mode=755",
      });
      const mnt = scratch.mnt;
      const failed = await vc(["prefill", "--list", list, "--concurrency", "64"], {
        ...testAwsEnv(s3.url),
        VC_CACHE_DIR: mnt,
      });
      assertEquals(failed.code, 1, failed.stderr);
      // The item that says why was past the 20 lines shown, behind 20
      // lines referring to it: now they are one line, and it is shown.
      const lines = failed.stderr.trimEnd().split("\n");
      const why = lines.filter((l) => l.includes(`cannot write to the cache dir ${mnt}`));
      assertEquals(why.length, 1, failed.stderr);
      const item = /^vc: prefill failed: [^:]+:\d+: (s3:\/\/b\/k\d+\.txt): /.exec(why[0]!)?.[1];
      assert(item !== undefined, why[0]);
      const rest = lines.filter((l) => l.includes(`(the failure of ${item} says why)`));
      assertEquals(rest.length, 1, failed.stderr);
      assertStringIncludes(rest[0]!, "vc: prefill failed: 99 items (");
      assertEquals(lines.at(-1), "vc: 100 of 100 items failed");
    });
  },
});
