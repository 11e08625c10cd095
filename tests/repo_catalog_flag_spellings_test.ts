/**
 * `--catalog` (the library's `postgresUrl`) is compared with the marker's
 * URL as libpq reads both, not as text: a URL naming the same catalog in
 * another spelling (the default port written out or left out, `?dbname=`
 * or `?user=` for the URL's parts, a percent-encoded letter, a host in
 * capitals) was refused as "not the repository's catalog", which a user
 * who wrote `db:5432` for a marker's `db` could not make sense of. A URL
 * naming another catalog is still refused, and the error now names what
 * differs (`its user "ann", not "vc"`).
 */
import { InvalidInputError } from "../src/errors.ts";
import { checkRuntimeUrl } from "../src/repo/setup.ts";
import { assertThrows } from "./assert.ts";

const env = () => undefined;
const ref = { kind: "postgres" as const, url: "postgres://vc@db.internal/vc" };

Deno.test("repo: --catalog in another spelling of the repository's catalog opens it", () => {
  for (
    const url of [
      "postgres://vc:pw@db.internal:5432/vc",
      "postgresql://db.internal/vc?user=vc",
      "postgres://vc@db.internal/?dbname=vc",
      "postgres://%76c@DB.internal/vc",
      "postgres://vc@db.internal/vc?",
      "postgres:///vc?host=db.internal&port=5432&user=vc&sslmode=require",
    ]
  ) checkRuntimeUrl(ref, url, env);
});

Deno.test("repo: --catalog naming another catalog is refused, naming what differs", () => {
  for (
    const [url, differs] of [
      ["postgres://ann@db.internal/vc", `its user "ann", not "vc"`],
      ["postgres://vc@db.internal:5433/vc", "its port 5433, not 5432"],
      ["postgres://vc@other/vc", `its host "other", not "db.internal"`],
      ["postgres://vc@db.internal/vc2", `its database "vc2", not "vc"`],
      [
        "postgres://vc@db.internal/vc?options=-c%20search_path%3Ds2",
        `its options "-c search_path=s2", not ""`,
      ],
    ]
  ) {
    assertThrows(
      () => checkRuntimeUrl(ref, url!, env),
      InvalidInputError,
      `is not the repository's catalog postgres://vc@db.internal/vc (${differs})`,
    );
  }
});
