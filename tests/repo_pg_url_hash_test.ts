/**
 * A `#` in a PostgreSQL URL is read as itself, as libpq reads it
 * (`psql "postgres://vc:se#cret@db/vc"` logs in). Before, the URL parser took
 * the rest for a fragment: the password was cut at the `#`, the login failed,
 * and the error showed the password's rest (`…/vc#cret`) as part of the
 * catalog's URL. And a URL that could not be parsed at all, its user holding
 * an `@` typed as is (`vc@srv:pa/ss@db/vc`), was shown whole, password and
 * all.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { parsePostgresUrl, redactPostgresUrl } from "../src/repo/postgres_url.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const noEnv = (_name: string): string | undefined => undefined;

Deno.test("repo: a # in a PostgreSQL URL's password is part of it, as libpq reads it", () => {
  const inUser = parsePostgresUrl("postgres://vc:se#cret@db:5433/cat", noEnv);
  assertEquals(
    [inUser.host, inUser.port, inUser.user, inUser.password, inUser.database],
    ["db", 5433, "vc", "se#cret", "cat"],
  );
  const inQuery = parsePostgresUrl("postgres://vc@db/cat?password=se#cret", noEnv);
  assertEquals([inQuery.password, inQuery.database], ["se#cret", "cat"]);
  for (
    const url of [
      "postgres://vc:se#cret@db/cat",
      "postgres://vc@db/cat?password=se#cret",
      "postgres://vc:12#cret@db/cat",
    ]
  ) {
    const shown = redactPostgresUrl(url);
    assert(!shown.includes("cret"), `${url} shown as ${shown}`);
  }
});

Deno.test("repo: an unparsable PostgreSQL URL whose user holds an @ never shows its password", () => {
  const url = "postgres://vc@srv:pa/ss@db/cat";
  assert(!redactPostgresUrl(url).includes("pa/ss"), redactPostgresUrl(url));
  const error = assertThrows(() => parsePostgresUrl(url, noEnv), CatalogUnavailableError);
  assert(!error.message.includes("pa/ss"), error.message);
});

Deno.test({
  name:
    "repo: a PostgreSQL password holding a # logs in, from the URL's user info or password= (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: "se#cret" });
    const hostPart = pg.url.slice("postgres://vc@".length);
    for (
      const url of [`postgres://vc:se#cret@${hostPart}`, `${pg.url}?password=se#cret`]
    ) {
      const catalog = await openPostgresCatalog(url, { env: noEnv });
      await catalog.close();
    }
    const wrong = await assertRejects(
      () => openPostgresCatalog(`postgres://vc:wrong#cret@${hostPart}`, { env: noEnv }),
      CatalogUnavailableError,
      "password authentication failed",
    );
    assert(!wrong.message.includes("cret"), wrong.message);
  },
});
