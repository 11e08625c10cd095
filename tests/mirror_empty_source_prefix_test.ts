/**
 * A store → local mirror whose source prefix lists no object at all (a
 * mistyped `s3://bkt/typo`) is not an empty source: with --delete it must
 * not remove every local file, as a missing bucket or `file://` directory is
 * refused rather than read as empty. A prefix holding only a folder marker,
 * or only keys the filters leave out, is there: its deletes go ahead.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { BACKENDS, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

for (const b of BACKENDS) {
  Deno.test({
    name: `mirror ${b.name} → local --delete: a source prefix with no objects deletes nothing`,
    ignore: b.ignore,
    async fn() {
      await using backend = await b.make();
      await using w = await tempDir();
      const local = join(w.dir, "local");
      await writeTree(local, { "a.txt": "a", "sub/b.txt": "b" });
      await backend.store.put("data/x.txt", new TextEncoder().encode("x"));
      const options = {
        sources: [backend.store],
        sourcePrefix: "typo/",
        target: local,
        statePath: join(w.dir, "s.db"),
        delete: true,
      };
      const r = await mirror(options);
      assertEquals([r.deleted, r.transferred, r.extra], [0, 0, 2]);
      assertStringIncludes(
        r.deletesSkipped ?? "",
        `${backend.store.url}/typo holds no objects at all`,
      );
      assertStringIncludes(r.deletesSkipped ?? "", "all 2 local entries of");
      assertEquals(await treeContents(local), { "a.txt": "a", "sub/b.txt": "b" });
      // Without --delete there is nothing to hold back: a plain no-op.
      const plain = await mirror({ ...options, delete: false });
      assertEquals([plain.deleted, plain.extra, plain.deletesSkipped], [0, 2, undefined]);
      // A prefix that is there (keys the filter leaves out, or a folder
      // marker) is an empty source on purpose: its deletes go ahead.
      const filtered = await mirror({
        ...options,
        sourcePrefix: "data/",
        filter: ["^(a|sub/b)\\.txt$"],
      });
      assertEquals([filtered.deleted, filtered.deletesSkipped], [2, undefined]);
      assertEquals(await treeContents(local), {});
      if (backend.fake !== undefined) {
        await writeTree(local, { "c.txt": "c" });
        await backend.store.put("typo/", new Uint8Array(0));
        const marked = await mirror(options);
        assertEquals([marked.deleted, marked.deletesSkipped], [1, undefined]);
      }
    },
  });
}

Deno.test("vc mirror s3://bkt/typo DIR --delete: names the source, deletes nothing, exit 1", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  await ws.write("dir/a.txt", "a");
  await ws.write("dir/sub/b.txt", "b");
  const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
  await withProcessEnv(env, async () => {
    const run = (...flags: string[]) =>
      ws.run(["mirror", "s3://bkt/typo", "dir", "--state", "s.db", ...flags], env);
    const refused = await run("--delete");
    assertEquals(refused.code, 1, refused.stderr);
    assertStringIncludes(refused.stderr, "s3://bkt/typo holds no objects at all");
    assertStringIncludes(refused.stderr, "--delete would remove all 2 local entries");
    assertStringIncludes(refused.stderr, "nothing was deleted");
    assertEquals(await ws.read("dir/sub/b.txt"), "b");
    const dry = await run("--delete", "--dry-run");
    assertEquals(dry.code, 1, dry.stderr);
    assertEquals(dry.stdout.includes("delete "), false, dry.stdout);
    const plain = await run();
    assertEquals(plain.code, 0, plain.stderr);
    assertStringIncludes(plain.stdout, "2 only on target");
  });
});
