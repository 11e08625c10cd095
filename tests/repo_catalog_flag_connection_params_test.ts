/**
 * `--catalog` on a command other than `init` (the library's `postgresUrl`)
 * may say how this machine connects, not only add the password: its TLS
 * (`sslmode`, `sslrootcert`, whose file lies elsewhere on each machine, e.g.
 * Windows), its timeouts and keepalives, its application name. Before, any
 * parameter that differed from the marker's URL was refused as "catalog … is
 * not the repository's catalog", so a machine that had to connect otherwise
 * could not use the repository at all. What names the catalog (host, port,
 * database, user, `options` with its search_path) must still be the
 * marker's.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { checkRuntimeUrl } from "../src/repo/setup.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";

const ref = {
  kind: "postgres" as const,
  url: "postgres://vc@db:5432/vc?sslmode=verify-full&sslrootcert=/etc/ssl/db.pem",
};

Deno.test("repo: --catalog may give this machine's connection parameters", () => {
  for (
    const url of [
      "postgres://vc:pw@db:5432/vc?sslmode=verify-full&sslrootcert=C:\\certs\\db.pem",
      "postgres://vc@db:5432/vc?sslrootcert=/home/ann/db.pem&sslmode=verify-ca",
      "postgres://vc@db:5432/vc?sslmode=require&connect_timeout=30&keepalives_idle=60",
      "postgresql://vc@db:5432/vc?application_name=nightly&sslmode=verify-full",
      "postgres://vc@db:5432/vc",
    ]
  ) checkRuntimeUrl(ref, url);
});

Deno.test("repo: --catalog naming another catalog is still refused", () => {
  for (
    const url of [
      "postgres://vc@db:5433/vc?sslmode=verify-full",
      "postgres://vc@other:5432/vc",
      "postgres://vc@db:5432/vc2",
      "postgres://ann@db:5432/vc",
      "postgres://vc@db:5432/vc?options=-c%20search_path%3Ds2",
    ]
  ) {
    assertThrows(
      () => checkRuntimeUrl(ref, url),
      InvalidInputError,
      "is not the repository's catalog",
    );
  }
  // Its schema is part of what it names: dropping it names another catalog too.
  assertThrows(
    () =>
      checkRuntimeUrl(
        { kind: "postgres", url: "postgres://vc@db/vc?options=-c%20search_path%3Ds1" },
        "postgres://vc@db/vc",
      ),
    InvalidInputError,
    "is not the repository's catalog",
  );
});

Deno.test({
  name:
    "repo: --catalog with another sslmode opens the repository's PostgreSQL catalog (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir({ prefix: "vc_catalog_flag_params_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      {
        await using repo = await Repository.init(uri, { catalog: pg.url });
        await repo.add("/a.txt", new TextEncoder().encode("a"));
      }
      {
        const postgresUrl = `${pg.url}?sslmode=disable&connect_timeout=5`;
        await using repo = await Repository.open(uri, { postgresUrl });
        assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
      }
      // Its parameters are used: a mode the server (no TLS) cannot meet fails.
      await assertRejects(
        () => Repository.open(uri, { postgresUrl: `${pg.url}?sslmode=require` }),
        Error,
        "sslmode requires TLS",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
