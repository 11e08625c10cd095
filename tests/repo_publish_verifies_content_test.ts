/**
 * `repo publish` of a record whose content was deleted or replaced behind
 * vc's back (`aws s3 rm`, `aws s3 cp` over its key) made it `current` and
 * claimable all the same: every machine then consuming it failed on its
 * get, long after the publish that could have said so. Publishing makes a
 * record available for consumption, so it now checks the content object's
 * size and stated MD5 first (one HEAD), refuses one missing or different,
 * naming the record, its content and `vc repo check`, and changes nothing.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { IntegrityError, NotFoundError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";

async function withRepo(
  body: (repo: Repository, repoDir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_publish_verifies_" });
  try {
    const repoDir = join(dir, "repo");
    await using repo = await Repository.init(pathToFileURL(repoDir).href);
    await body(repo, repoDir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo publish refuses a record whose content was deleted behind vc's back", async () => {
  await withRepo(async (repo, repoDir) => {
    const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
    await Deno.remove(join(repoDir, r.contentKey));
    const e = await assertRejects(() => repo.publish(r.id), NotFoundError);
    assertStringIncludes(e.message, `cannot publish record ${r.id} (unpublished /data/a.txt)`);
    assertStringIncludes(e.message, r.contentKey);
    assertStringIncludes(e.message, "missing");
    assertStringIncludes(e.message, "the Repository's `check()`");
    assertEquals((await repo.get(r.id)).state, "unpublished");
    assertEquals(await repo.current("/data/a.txt"), undefined);
  });
});

Deno.test("repo publish refuses content of the same size with other bytes", async () => {
  await withRepo(async (repo, repoDir) => {
    const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
    await Deno.writeTextFile(join(repoDir, r.contentKey), "other");
    const e = await assertRejects(() => repo.publish(r.id), IntegrityError);
    assertStringIncludes(e.message, `cannot publish record ${r.id} (unpublished /data/a.txt)`);
    assertStringIncludes(e.message, `recorded ${r.md5}`);
    assertEquals((await repo.get(r.id)).state, "unpublished");

    // Put back, it publishes.
    await Deno.writeTextFile(join(repoDir, r.contentKey), "first");
    assertEquals((await repo.publish(r.id)).state, "published");
    assertEquals((await repo.current("/data/a.txt"))?.id, r.id);
  });
});

Deno.test("repo publish of an expired record whose content changed does not revive it", async () => {
  await withRepo(async (repo, repoDir) => {
    const r = await repo.publish((await repo.add("/a.bin", new Uint8Array([1, 2, 3]))).id);
    await repo.expire(r.id);
    await Deno.writeFile(join(repoDir, r.contentKey), new Uint8Array([1, 2]));
    const e = await assertRejects(() => repo.publish(r.id), IntegrityError);
    assertStringIncludes(e.message, `cannot publish record ${r.id} (expired /a.bin)`);
    assertStringIncludes(e.message, "recorded 3 bytes, stored 2");
    assertEquals((await repo.get(r.id)).state, "expired");
    assertEquals(await repo.current("/a.bin"), undefined);
  });
});

Deno.test("repo publish CLI: a record with missing content exits 1 with the error, no stack", async () => {
  await withRepo(async (repo, repoDir) => {
    const r = await repo.add("/a.txt", new TextEncoder().encode("a"));
    await Deno.remove(join(repoDir, r.contentKey));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-prompt", "cli.ts", "repo", "publish", String(r.id)],
      env: { VC_REPO: repo.uri, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertStringIncludes(stderr, `cannot publish record ${r.id}`);
    assertEquals(/\n\s+at /.test(stderr), false, stderr);
    assertEquals((await repo.get(r.id)).state, "unpublished");
  });
});

Deno.test("repo publish on S3 refuses an object overwritten with other bytes of its size", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_publish_verifies_s3_" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const store = testS3Options(s3, { maxAttempts: 1 });
  try {
    await using repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string) => openStore(u, store),
    });
    const r = await repo.add("/a.txt", new TextEncoder().encode("first"));
    // `aws s3 cp` over its key: a plain ETag, the MD5 of the other bytes.
    await repo.store.put(r.contentKey, new TextEncoder().encode("other"));
    const e = await assertRejects(() => repo.publish(r.id), IntegrityError);
    assertStringIncludes(e.message, `cannot publish record ${r.id} (unpublished /a.txt)`);
    assertStringIncludes(e.message, `s3://b/repo/${r.contentKey}`);
    assertEquals((await repo.get(r.id)).state, "unpublished");

    await repo.store.put(r.contentKey, new TextEncoder().encode("first"));
    assertEquals((await repo.publish(r.id)).state, "published");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
