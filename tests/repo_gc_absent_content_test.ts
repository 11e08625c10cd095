/**
 * gc after a restore into a store that does not hold the restored records'
 * content (purged since the snapshot, or never copied there): its purge
 * said `deleted 3 content objects (9 B)`, the dry run the same, though the
 * store held none of it (S3's batch delete, and a directory store's, take
 * a missing key without a word). The listing gc does of the content prefix
 * tells what the store holds: content it did not hold is reported apart
 * (`absentObjects`), neither deleted nor counted in the freed bytes.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { InitOptions } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { testS3Options } from "./versioned_helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Three abandoned adds restored where only the third's content is still held. */
async function restoredWithoutContent(
  uri: string,
  options: InitOptions,
): Promise<{ gone: string[]; kept: string }> {
  let snapshot: string;
  const keys: string[] = [];
  {
    await using repo = await Repository.init(uri, options);
    for (const name of ["a", "b", "c"]) {
      keys.push((await repo.add(`/${name}.csv`, bytes(name.repeat(3)))).contentKey);
    }
    snapshot = (await repo.backup()).uri;
    await repo.store.delete(keys.slice(0, 2));
  }
  const { catalog: _, ...opening } = options;
  await Repository.restore(uri, snapshot, { ...opening, force: true });
  return { gone: keys.slice(0, 2), kept: keys[2]! };
}

async function gcSaysWhatWasThere(uri: string, options: InitOptions) {
  const { gone, kept } = await restoredWithoutContent(uri, options);
  const { catalog: _, ...opening } = options;
  await using repo = await Repository.open(uri, opening);
  const dry = await repo.gc({ graceMs: 0, dryRun: true });
  assertEquals(
    [dry.purgedUnpublished.length, dry.deletedObjects, dry.freedBytes, dry.absentObjects],
    [3, [kept], 3, gone],
  );
  const report = await repo.gc({ graceMs: 0 });
  assertEquals(
    [report.purgedUnpublished.length, report.deletedObjects, report.freedBytes],
    [3, [kept], 3],
  );
  assertEquals(report.absentObjects, gone);
  assertEquals(await repo.store.head(kept), undefined);
}

Deno.test("gc counts as deleted only the content the directory store held", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_absent_" });
  try {
    await gcSaysWhatWasThere(pathToFileURL(join(dir, "repo")).href, {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gc counts as deleted only the content the S3 store held", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_absent_s3_" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  try {
    await gcSaysWhatWasThere("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string) => openStore(u, testS3Options(s3, { maxAttempts: 1 })),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo gc says deleted only what the store held, and the rest as not in it", async () => {
  await using ws = await CliWorkspace.create();
  const uri = pathToFileURL(join(ws.dir, "repo")).href;
  await restoredWithoutContent(uri, {});
  for (
    const [flags, line] of [
      [
        ["--dry-run"],
        "would delete 1 content object (3 B)\n2 content objects of the records to purge are not in the store: nothing to delete",
      ],
      [
        [],
        "deleted 1 content object (3 B)\n2 content objects of the purged records were not in the store: nothing to delete",
      ],
    ] as const
  ) {
    const run = await ws.run(["repo", "gc", "--repo", uri, "--grace", "0s", ...flags]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, line);
  }
});
