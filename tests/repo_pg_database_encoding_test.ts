/**
 * A PostgreSQL catalog in a database of another encoding than UTF8 (made
 * `ENCODING 'LATIN1'`, as old clusters and some hosted defaults are) holds
 * only some of the Unicode paths and tags vc is given. One it cannot hold is
 * an `InvalidInputError` naming the catalog and the way out, and the `add`
 * so refused deletes the content it uploaded. Before, `vc repo add /中.txt`
 * said `vc: internal error: PostgresError: character with byte sequence …
 * has no equivalent in encoding "LATIN1"` and left its upload in the store.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name: "repo: text a non-UTF8 PostgreSQL database cannot hold is an InvalidInputError",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    const url = await pg.createDatabase(
      "latin1",
      "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    );
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_encoding_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await using repo = await Repository.init(uri, { catalog: url });
      // What LATIN1 has goes in as before.
      const latin = await repo.add("/café.txt", new TextEncoder().encode("a"), { tags: ["é"] });
      for (
        const refused of [
          () => repo.add("/中.txt", new TextEncoder().encode("b")),
          () => repo.add("/b.txt", new TextEncoder().encode("c"), { tags: ["標"] }),
          () => repo.tag({ id: latin.id }, ["標"]),
        ]
      ) {
        await assertRejects(refused, InvalidInputError, "cannot hold this text");
      }
      const error = await assertRejects(
        () => repo.add("/中.txt", new TextEncoder().encode("b")),
        InvalidInputError,
      );
      assertEquals(error.message.includes(`catalog ${url} `), true, error.message);
      assertEquals(error.message.includes("ENCODING 'UTF8'"), true, error.message);
      // The refused adds left no content behind, and nothing was recorded.
      assertEquals((await repo.check()).orphans, []);
      assertEquals((await repo.list()).map((r) => [r.path, r.tags]), [["/café.txt", ["é"]]]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
