/**
 * gc on a PostgreSQL catalog while two adds record at once. gc purges only
 * records recorded before it began: it noted the highest record id before
 * listing the store. But PostgreSQL hands out ids as the inserts run, not as
 * they commit: add A takes id 10, add B takes 11 and commits, gc notes 11,
 * and A commits only once gc listed the store. A's record, unpublished and
 * (by gc's clock, an hour ahead) past the grace period, was then purged and
 * its content deleted: an add that had just succeeded lost its content.
 * gc now notes the id under the content lock every recording holds until it
 * commits, so no record below its cutoff commits after it.
 */
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { spellingKey } from "../src/unicode_spelling.ts";
import { assert, assertEquals } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { withPausableRepos } from "./pausable_repos.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test({
  name: "repo gc on PostgreSQL never purges a record that commits after its listing, " +
    "though its id is below another committed before gc began",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await withPausableRepos("vc_pg_gc_out_of_order_", pg.url, async (adder, collector, hook) => {
      const other = await openPostgresCatalog(pg.url, { env: () => undefined });
      try {
        const key = `${adder.marker.contentPrefix}in-flight.bin`;
        await adder.store.put(key, bytes("a"));
        // Add A's recording, as an add records (under the shared content
        // lock): its row inserted, its id taken, not committed yet.
        const letCommit = Promise.withResolvers<void>();
        const inserted = Promise.withResolvers<number>();
        const recording = other.transaction("write", async (tx) => {
          for (const statement of other.dialect.contentLock.shared) await tx.query(statement);
          const [row] = await tx.query(
            `INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at,
               path_key) VALUES ($1, 'unpublished', $2, 1, $3, 'a-host', $4, $5) RETURNING id`,
            ["/a.csv", key, "0cc175b9c0f1b6a831c399e269772661", Date.now(), spellingKey("/a.csv")],
          );
          inserted.resolve(Number(row!.id));
          await letCommit.promise;
        });
        const a = await inserted.promise;
        // Add B records after A took its id, and commits first.
        const b = await adder.add("/b.csv", bytes("b"));
        assert(b.id > a, `B's id ${b.id} above A's ${a}`);

        // A commits once gc listed the store, or once gc waits for it.
        let released = false;
        let listedFirst = false;
        const release = async () => {
          released = true;
          letCommit.resolve();
          await recording;
        };
        hook.afterList = async () => {
          hook.afterList = undefined;
          if (!released) {
            listedFirst = true;
            await release();
          }
        };
        const collecting = collector.gc({ graceMs: 60_000 });
        collecting.catch(() => {});
        for (let i = 0; i < 3000 && !released; i++) {
          const rows = await other.transaction(
            "read",
            (tx) => tx.query("SELECT count(*) AS n FROM pg_locks WHERE NOT granted"),
          );
          if (Number(rows[0]?.n) > 0) await release();
          else await new Promise((r) => setTimeout(r, 10));
        }
        assert(released, "A's recording was let commit");
        const report = await collecting;
        await recording;

        const record = await adder.get(a);
        if (listedFirst) {
          // Recorded after gc listed the store: a later run's to judge.
          assertEquals(record.state, "unpublished");
          assertEquals(report.purgedUnpublished, [b.id]);
          assert(await adder.store.head(key) !== undefined, "A's content survives gc");
        } else {
          // gc waited for A's recording: recorded before gc began, and
          // abandoned by gc's clock, it is purged, its content with it.
          assertEquals(report.purgedUnpublished, [a, b.id]);
          assertEquals(record.state, "purged");
          assertEquals(report.absentObjects, []);
          assert(report.deletedObjects.includes(key), "A's content is deleted");
        }
      } finally {
        await other.close();
      }
    });
  },
});
