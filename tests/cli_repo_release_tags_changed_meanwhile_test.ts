/**
 * `vc repo release ID --holder H --untag todo --tag done` says which tags
 * the release changed by comparing with the record's tags before it. Those
 * were read apart, before the release's transaction: another machine that
 * changed the record's tags in between (here it removed `todo` and added
 * `done` itself, committing while the release waited for the row) made the
 * release say `(untagged todo, tagged done)`, tags it did not change. The
 * tags before are now read in the release's own transaction, once it holds
 * the row.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CallbackError, InvalidInputError } from "../src/errors.ts";
import { type RepoRecord, Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "vc repo release --untag/--tag says the tags its own transaction changed, not those another session changed meanwhile (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const env = () => undefined;
    const dir = await Deno.makeTempDir({ prefix: "vc_release_tags_meanwhile_" });
    const other = await openPostgresCatalog(pg.url, { env });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      let id: number;
      {
        await using repo = await Repository.init(uri, { catalog: pg.url, env });
        const added = await repo.add("/a.csv", new TextEncoder().encode("a"), { tags: ["todo"] });
        id = (await repo.publish(added.id)).id;
        assertEquals((await repo.claim({ ttlMs: 3_600_000, holder: "w1" }))?.record.id, id);
      }

      // Another session holds the record's row and moves it to done itself.
      const { promise: commit, resolve: letCommit } = Promise.withResolvers<void>();
      const { promise: changed, resolve: isChanged } = Promise.withResolvers<void>();
      const changing = other.transaction("write", async (tx) => {
        await tx.query("SELECT id FROM records WHERE id = $1 FOR UPDATE", [id]);
        await tx.query("DELETE FROM record_tags WHERE record_id = $1 AND tag = 'todo'", [id]);
        await tx.query(
          "INSERT INTO record_tags (record_id, tag, tag_key) VALUES ($1, 'done', 'done')",
          [id],
        );
        isChanged();
        await commit;
      });
      await changed;

      const io = memoryIo({ cwd: dir, env: { HOME: dir } });
      const releasing = runCli(
        ["repo", "release", String(id), "--holder", "w1", "--untag", "todo", "--tag", "done"]
          .concat(["--repo", uri]),
        io,
      );
      // Commit only once the release waits for the row.
      let waiting = false;
      for (let i = 0; i < 500 && !waiting; i++) {
        const rows = await other.transaction(
          "read",
          (tx) => tx.query("SELECT count(*) AS n FROM pg_locks WHERE NOT granted"),
        );
        waiting = Number(rows[0]?.n) > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 10));
      }
      assert(waiting, "the release waited for the other session's row lock");
      letCommit();
      await changing;

      assertEquals(await releasing, 0, io.stderr());
      assertEquals(io.stdout().trim(), `released ${id}`);
      assertStringIncludes(io.stderr(), `not tagged ${id}: todo`);
      assertStringIncludes(io.stderr(), `already tagged ${id}: done`);
    } finally {
      await other.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("Repository.release onBefore: told the record as the release found it; a throw is a CallbackError after the release", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_release_on_before_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    const added = await repo.add("/a.csv", new TextEncoder().encode("a"), { tags: ["todo"] });
    await repo.tag({ path: "/a.csv" }, ["urgent"]);
    const { id } = await repo.publish(added.id);
    await repo.claim({ ttlMs: 3_600_000, holder: "w1" });
    await assertRejects(
      // @ts-expect-error: not a function
      () => repo.release(id, "w1", { untag: ["todo"], onBefore: "x" }),
      InvalidInputError,
      "onBefore must be a function",
    );
    let told: RepoRecord | undefined;
    const done = await repo.release(id, "w1", {
      untag: ["todo"],
      tag: ["done"],
      onBefore: (found) => told = found,
    });
    assertEquals([told?.tags, told?.claimedBy], [["todo", "urgent"], "w1"]);
    assertEquals([done.tags, done.claimedBy], [["done", "urgent"], null]);
    // Without tags to change too; what it throws comes after the release.
    await repo.claim({ ttlMs: 3_600_000, holder: "w2" });
    const boom = new Error("boom");
    const error = await assertRejects(
      () =>
        repo.release(id, "w2", {
          onBefore: () => {
            throw boom;
          },
        }),
      CallbackError,
    );
    assertEquals(error.cause, boom);
    assertEquals((await repo.get(id)).claimedBy, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
