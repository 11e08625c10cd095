/**
 * A publish first checks its record's content in the store (one HEAD), then
 * changes the state. A record another machine purged (`vc repo purge`, or a
 * gc purging an abandoned add past its grace) between the publish's read of
 * the record and its HEAD found the content gone, and the publish said it
 * was "missing from the store (deleted behind vc's back? `vc repo check`
 * lists such records)", a `NotFoundError`: `vc repo check` then finds
 * nothing, since vc itself deleted it. Seen with 5 processes publishing
 * beside a gc on one PostgreSQL catalog. The publish now says what the
 * transition says of a purged record: a `RecordStateError`, `it is purged`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { NotFoundError } from "../src/errors.ts";
import { RecordStateError, Repository } from "../src/repo/mod.ts";

Deno.test("repo publish of a record another process purges during its content check says it is purged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_publish_beside_purge_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, { host: "a" });
    await using other = await Repository.open(uri, { host: "a" });
    const r = await repo.add("/data/a.txt", new TextEncoder().encode("first"));
    // Another process purges it just before the publish's HEAD.
    const store = repo.store;
    const head = store.head.bind(store);
    store.head = async (...args: Parameters<typeof head>) => {
      if (args[0] === r.contentKey) await other.purge(r.id);
      return await head(...args);
    };
    const e = await assertRejects(() => repo.publish(r.id), RecordStateError);
    assertEquals(e instanceof NotFoundError, false);
    assertStringIncludes(e.message, `cannot publish record ${r.id}: it is purged`);
    assertEquals((await repo.get(r.id)).state, "purged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
