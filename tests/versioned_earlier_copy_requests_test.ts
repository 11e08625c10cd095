/**
 * `vc sync` asks which other version of a path a DEST file holds (a file an
 * earlier sync, or baiji-pod's, left there: see earlier_copy.ts). It HEADed
 * every version the listing named, whatever its size, though the listing
 * already tells each object's size, and read the whole file again for each
 * candidate of its size. A path with many versions (a daily file kept for a
 * year) cost a request per version and a read of the file per same-size one
 * at every sync of an edited DEST. Now only versions of the file's size are
 * asked about, and the file is read once. Counted at a fake S3 server.
 */
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { versionHeldBy } from "../src/versioned/earlier_copy.ts";
import { testS3Store } from "./versioned_helpers.ts";

Deno.test("versionHeldBy: HEADs only the versions of the file's size", async () => {
  const heads: string[] = [];
  await using s3 = await startFakeS3({
    buckets: ["b"],
    onRequest: (e) => void (e.op === "HeadObject" && heads.push(e.path)),
  });
  const dir = await Deno.makeTempDir({ prefix: "vc_earlier_copy_requests_" });
  try {
    // 30 versions of other sizes, 3 of the file's (one of them its bytes).
    for (let i = 1; i <= 30; i++) await s3.putObject("b", `d/a.1.${i}.0.csv`, "x".repeat(100 + i));
    await s3.putObject("b", "d/a.2.0.0.csv", "same size, other\n");
    await s3.putObject("b", "d/a.2.1.0.csv", "same size, right\n");
    await s3.putObject("b", "d/a.2.2.0.csv", "same size, newer\n");
    await s3.putObject("b", "d/a.3.0.0.csv", "the pinned one\n");
    const file = `${dir}/a.csv`;
    await Deno.writeTextFile(file, "same size, right\n");
    await using store = testS3Store(s3, "b");
    heads.length = 0;
    assertEquals(await versionHeldBy(store, "/d/a.csv", "3.0.0", file, 17), "2.1.0");
    // Newest first, down to the match: 2.2.0, then 2.1.0.
    assertEquals(heads.length, 2, heads.join(", "));
    heads.length = 0;
    assertEquals(await versionHeldBy(store, "/d/a.csv", "2.1.0", file, 17), undefined);
    assertEquals(heads.length, 2, heads.join(", "));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
