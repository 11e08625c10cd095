/**
 * Opening a repository whose PostgreSQL catalog refuses the connection
 * itself (nothing listens on its port: between the two processes of a
 * restart, `pg_ctl restart`, a package upgrade) waits that out for a bounded
 * time, saying so, as it waits out a server starting up (57P03); before, the
 * first refusal failed every `vc repo` command of every machine at once,
 * where a transaction lost the same way was run again. A catalog that stays
 * down is an error naming the server and how long vc tried. A new catalog
 * (`init`), whose URL may simply be wrong, is not waited for.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const enc = new TextEncoder();

Deno.test({
  name:
    "repo: opening a PostgreSQL catalog waits out a server that is down for a restart, and names it once the wait is over (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc-pg-open-refused-" });
    try {
      const uri = `file://${dir}/repo`;
      {
        await using repo = await Repository.init(uri, { catalog: pg.url, env: {} });
        await repo.add("/a.txt", enc.encode("a"));
      }
      await pg.stop();
      let started = false;
      try {
        // Down, then back: the open waits, then works.
        const lines: string[] = [];
        let sawWait!: () => void;
        const waited = new Promise<void>((resolve) => sawWait = resolve);
        const opening = Repository.open(uri, {
          postgresUrl: pg.url,
          env: {},
          onConnectWait: (line) => {
            lines.push(line);
            sawWait();
          },
        });
        // (An open that fails at once ends the wait too, and is the error below.)
        await Promise.race([waited, opening.then(() => {}, () => {})]);
        await pg.start();
        started = true;
        {
          await using repo = await opening;
          assertEquals((await repo.list()).length, 1);
        }
        assert(lines.length > 0, "no wait was said");
        assertStringIncludes(lines[0]!, `PostgreSQL at 127.0.0.1:${pg.port}`);
        assertStringIncludes(lines[0]!, "refused the connection");
        assertStringIncludes(lines[0]!, "trying again in");

        // Down for longer than the retries: an error naming the server.
        await pg.stop();
        started = false;
        const gaveUp: string[] = [];
        const error = await assertRejects(
          () =>
            Repository.open(uri, {
              postgresUrl: pg.url,
              env: {},
              connectRetryMs: 1_000,
              onConnectWait: (line) => gaveUp.push(line),
            }),
          CatalogUnavailableError,
          `cannot reach PostgreSQL catalog ${pg.url}`,
        );
        assertStringIncludes(error.message, "ECONNREFUSED");
        assertStringIncludes(error.message, "of retries");
        assertEquals(gaveUp.length, 1, gaveUp.join("\n"));

        // A new catalog (init) is not waited for: its URL may be wrong.
        const initWaits: string[] = [];
        await assertRejects(
          () =>
            Repository.init(`file://${dir}/other`, {
              catalog: pg.url,
              env: {},
              onConnectWait: (line) => initWaits.push(line),
            }),
          CatalogUnavailableError,
          "ECONNREFUSED",
        );
        assertEquals(initWaits, []);
      } finally {
        if (!started) await pg.start();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
