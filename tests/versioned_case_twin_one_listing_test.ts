/**
 * The letter-case hint of a missing version ("… but /d/Table.csv, which
 * differs from it only in letter case …") reads at most the first 1000 keys
 * of the path's directory, documented as one LIST request. It stopped only
 * when it had the 1001st key in hand, which a directory of more than 1000
 * keys gives on a second page: two LISTs where one has all it reads. It now
 * stops at the 1000th key, so the second page is never asked for.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { CASE_TWIN_LIST_LIMIT, caseTwinVersions } from "../src/versioned/case_twin.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { countingS3Proxy } from "./s3_proxy.ts";
import { tempDir } from "./versioned_helpers.ts";

// More keys in the directory than the hint reads: a second page exists.
const KEYS = CASE_TWIN_LIST_LIMIT + 200;

async function bigDirectory() {
  const counted = await countingS3Proxy();
  // `d/A...` sorts before the rest: the twin is on the first page.
  await counted.proxied.fake.putObject("b", "d/Table.1.0.0.csv", "t");
  for (let i = 0; i < KEYS; i++) {
    await counted.proxied.fake.putObject("b", `d/f${String(i).padStart(5, "0")}.1.0.0.csv`, "x");
  }
  return counted;
}

Deno.test("case twin: a directory of more than 1000 keys is one LIST, not two", async () => {
  const { proxied, seen } = await bigDirectory();
  await using _proxied = proxied;
  assertEquals(await caseTwinVersions(proxied.store, "/d/table.csv"), {
    path: "/d/Table.csv",
    versions: ["1.0.0"],
  });
  assertEquals(seen.lists, 1);
  seen.lists = 0;
  // None found among the keys read: still the one page.
  assertEquals(await caseTwinVersions(proxied.store, "/d/zz.csv"), undefined);
  assertEquals(seen.lists, 1);
});

Deno.test("case twin: a missing version in a big directory lists the path twice and the directory once", async () => {
  const { proxied, seen } = await bigDirectory();
  await using _proxied = proxied;
  await using dir = await tempDir("vc_case_twin_one_listing_");
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: "s3://b",
    store: {
      s3: {
        endpoint: proxied.endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
      },
    },
  });
  const error = await assertRejects(() => vc.locate("/d/table.csv", "1.0.0"), NotFoundError);
  assertStringIncludes(
    error.message,
    "but /d/Table.csv, which differs from it only in letter case",
  );
  // The path's versions under its two prefixes (`d/table.`, `/d/table.`), then the directory.
  assertEquals(seen.lists, 3);
});
