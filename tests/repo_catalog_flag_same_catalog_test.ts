/**
 * `--catalog` on a command other than `init` (the library's `postgresUrl`)
 * must name the repository's catalog: the catalog as `init` was given it is
 * that one. A SQLite catalog's own `sqlite:PATH` (a script giving every
 * command the same flags) was refused as "catalog X is not the repository's
 * catalog X", and so was `postgresql://`, libpq's other spelling of
 * `postgres://`. Another catalog is still refused.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { assertEquals, assertRejects } from "./assert.ts";

Deno.test("repo: --catalog naming the repository's own SQLite catalog opens it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_flag_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const catalog = `sqlite:${join(dir, "catalog.sqlite")}`;
    {
      await using repo = await Repository.init(uri, { catalog });
      await repo.add("/a.txt", new TextEncoder().encode("a"));
    }
    {
      await using repo = await Repository.open(uri, { postgresUrl: catalog });
      assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
    }
    await assertRejects(
      () => Repository.open(uri, { postgresUrl: `sqlite:${join(dir, "other.sqlite")}` }),
      InvalidInputError,
      "is not the repository's catalog",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repo: --catalog postgresql:// names the postgres:// catalog init recorded (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_catalog_flag_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      {
        await using repo = await Repository.init(uri, { catalog: pg.url });
        await repo.add("/a.txt", new TextEncoder().encode("a"));
      }
      const other = pg.url.replace(/^postgres:/, "postgresql:");
      {
        await using repo = await Repository.open(uri, { postgresUrl: other });
        assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
      }
      await assertRejects(
        () => Repository.open(uri, { postgresUrl: `${other}_elsewhere` }),
        InvalidInputError,
        "is not the repository's catalog",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
