/**
 * A bucket another tool filled one release tree at a time keeps each version
 * in a folder higher up than the file's own directory: `v1.2.0/sub/dir/t.csv`
 * (a tree per release at the root) or `sub/1.3.0/dir/t.csv`. vc looked for
 * keys in another naming only in the path's own directory, so `vc path` and
 * `vc versions` of `/sub/dir/t.csv` said just "has no versions", where
 * `sub/dir/v1.4.0/t.csv` was named with the copy that adopts it. When the
 * directory shows nothing, each directory above it is now read too (its
 * first 1000 keys, on that failure only), and such keys are named the same
 * way.
 */
import { join } from "node:path";
import { NotFoundError } from "../src/errors.ts";
import { namedOtherwise } from "../src/versioned/case_twin.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test("a version folder above the path's directory is named with vc's key", async () => {
  await using store = new MemoryStore();
  for (
    const key of [
      "v1.2.0/sub/dir/t.csv",
      "v1.1.0/sub/dir/T.csv",
      "sub/1.1.0/other/t.csv", // another path's
      "v1.0.0/sub/t.csv", // another path's
      "2.0.0/sub/dir/x/t.csv", // another path's
      "sub/dir/x/1.3.0/y/t.csv", // another path's
      "top/1.3.0/a/b/c/t.csv",
    ]
  ) {
    await store.put(key, new Uint8Array());
  }
  const found = await namedOtherwise(store, "/sub/dir/t.csv");
  assertEquals(found.others.map((o) => [o.key, o.version, o.vcKey]), [
    ["v1.2.0/sub/dir/t.csv", "1.2.0", "sub/dir/t.1.2.0.csv"],
    ["v1.1.0/sub/dir/T.csv", "1.1.0", "sub/dir/t.1.1.0.csv"],
  ]);
  // The nearest directory that shows some is the last one read.
  await store.put("sub/v0.9.0/dir/t.csv", new Uint8Array());
  assertEquals((await namedOtherwise(store, "/sub/dir/t.csv")).others.map((o) => o.key), [
    "sub/v0.9.0/dir/t.csv",
  ]);
  // Four directories up, the root not needed.
  assertEquals((await namedOtherwise(store, "/top/a/b/c/t.csv")).others.map((o) => o.key), [
    "top/1.3.0/a/b/c/t.csv",
  ]);
  // A path with nothing anywhere above it: nothing.
  assertEquals((await namedOtherwise(store, "/sub/none/t.csv")).others, []);
});

Deno.test("vc path of a path whose versions are in release folders at the root names them", async () => {
  await using ws = await workspace();
  for (const v of ["1.0.0", "1.1.0"]) await writeFile(ws.bucket, `v${v}/sub/dir/t.csv`, `${v}\n`);
  const error = await assertRejects(() => ws.vc.path("/sub/dir/t.csv", "1.0.0"), NotFoundError);
  assertStringIncludes(error.message, "has no versions of it");
  assertStringIncludes(error.message, "v1.0.0/sub/dir/t.csv (1.0.0; vc's key sub/dir/t.1.0.0.csv)");
  assertStringIncludes(
    error.message,
    `cp ${join(ws.bucket, "v1.0.0/sub/dir/t.csv")} ${join(ws.bucket, "sub/dir/t.1.0.0.csv")}`,
  );
  // Found in the path's own directory, nothing above it is named.
  await writeFile(ws.bucket, "sub/dir/t-0.9.0.csv", "old\n");
  const near = await assertRejects(() => ws.vc.path("/sub/dir/t.csv", "0.9.0"), NotFoundError);
  assertStringIncludes(near.message, "sub/dir/t-0.9.0.csv (0.9.0;");
  assert(!near.message.includes("v1.0.0/sub/dir/t.csv"), near.message);
});

Deno.test("a version written with a capital V (V1.3.0) is found as one with a v", async () => {
  // "in any letter case": a release folder `V1.3.0/` or a name `t-V1.0.0.csv`
  // went unnamed, where `v1.3.0/` and `t-v1.0.0.csv` were.
  await using store = new MemoryStore();
  for (const key of ["d/V1.3.0/t.csv", "d/t-V1.0.0.csv", "d/T_V1.1.0.CSV", "V2.0.0/d/t.csv"]) {
    await store.put(key, new Uint8Array());
  }
  assertEquals((await namedOtherwise(store, "/d/t.csv")).others.map((o) => [o.key, o.vcKey]), [
    ["d/V1.3.0/t.csv", "d/t.1.3.0.csv"],
    ["d/T_V1.1.0.CSV", "d/t.1.1.0.csv"],
    ["d/t-V1.0.0.csv", "d/t.1.0.0.csv"],
  ]);
  await store.delete(["d/V1.3.0/t.csv", "d/t-V1.0.0.csv", "d/T_V1.1.0.CSV"]);
  assertEquals((await namedOtherwise(store, "/d/t.csv")).others.map((o) => o.key), [
    "V2.0.0/d/t.csv",
  ]);
});
