/**
 * `repo backup DEST` / `repo restore SNAPSHOT` with a local destination whose
 * directory name has `#`, `?`, `%` or a space: the path was pasted into a
 * `file://` URI unencoded, so `a#b/snap.gz` was written to `a/snap.gz` (and
 * reported as written to `a#b/`), `50%off/` failed as a malformed URI. The
 * snapshot now lands where it was asked, and restores from there.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { objectLocation } from "../src/repo/object_uri.ts";
import { Repository } from "../src/repo/mod.ts";
import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";

Deno.test("repo backup and restore at local paths with #, ?, % and spaces", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_backup_dest_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    const r = await repo.add("/a.csv", new TextEncoder().encode("a\n"), { tags: ["t"] });
    await repo.publish(r.id);
    for (const sub of ["a#b", "q?x", "50%off", "sp ace"]) {
      await Deno.mkdir(join(dir, sub));
      const dest = join(dir, sub, "snap.jsonl.gz");
      // Each restore below moves the repository to a new catalog: a handle
      // opened before it refuses to go on (CatalogReplacedError), so each
      // round opens the repository afresh.
      await using current = await Repository.open(pathToFileURL(join(dir, "store")).href);
      const result = await current.backup(dest);
      assertEquals(result.uri, dest);
      const names = [...Deno.readDirSync(join(dir, sub))].map((e) => e.name);
      assertEquals(names.includes("snap.jsonl.gz"), true, `${sub}: ${names.join()}`);
      assertEquals(objectLocation(dest), `${pathToFileURL(join(dir, sub)).href}/snap.jsonl.gz`);
      const restored = join(dir, `restored-${sub.length}-${names.length}.sqlite`);
      const counts = await Repository.restore(pathToFileURL(join(dir, "store")).href, dest, {
        catalog: `sqlite:${restored}`,
        force: true,
      });
      assertEquals(counts.records, 1, `restored from ${dest}`);
    }
    // Nothing was written beside the asked directories (`a/`, `q/`).
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n === "a" || n === "q"),
      [],
    );
    await using last = await Repository.open(pathToFileURL(join(dir, "store")).href);
    const e = await assertRejects(() => last.backup("/snap.jsonl.gz"), InvalidInputError);
    assertStringIncludes(e.message, "file system root");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo backup to a local directory (DIR/, or DIR that exists) is refused as one, writing nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_backup_dest_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    await repo.add("/a.csv", new TextEncoder().encode("a\n"));
    await Deno.mkdir(join(dir, "existing"));
    for (
      const dest of [
        `${join(dir, "new")}/`, // was written as a file named `new`
        `${pathToFileURL(join(dir, "new")).href}/`,
        join(dir, "existing"), // was a key conflict naming its parent
        `${join(dir, "existing")}/`,
      ]
    ) {
      const e = await assertRejects(() => repo.backup(dest), InvalidInputError);
      assertStringIncludes(e.message, `${dest} names a directory, not a file`);
    }
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["existing", "store"],
    );
    assertEquals([...Deno.readDirSync(join(dir, "existing"))], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo backup to an S3 prefix that holds objects is refused as a directory, writing nothing", async () => {
  await using t = await repoOnFakeS3("vc_repo_backup_dest_s3_");
  await t.repo.add("/a.csv", new TextEncoder().encode("a\n"));
  await t.repo.backup("s3://b/kept/first.jsonl.gz");
  const before = t.s3.listKeys("b");
  // Each holds objects under it: a backup there was written as an object
  // beside them (`kept` next to `kept/…`), where a local directory is refused.
  for (const dest of ["s3://b/kept", "s3://b/repo", "s3://b/repo/content"]) {
    const e = await assertRejects(() => t.repo.backup(dest), InvalidInputError);
    assertStringIncludes(e.message, `${dest} names a directory, not a file`);
  }
  assertEquals(t.s3.listKeys("b"), before);
  // A name that holds nothing under it is a file, as before.
  assertEquals((await t.repo.backup("s3://b/kep")).uri, "s3://b/kep");
  // A listing refused (a credential that may write backups but not list)
  // writes as before.
  t.s3.failNext(1, "internal", (r) => r.op === "ListObjectsV2");
  assertEquals((await t.repo.backup("s3://b/unlisted")).uri, "s3://b/unlisted");
});
