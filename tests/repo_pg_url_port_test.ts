/**
 * A port out of range in a PostgreSQL URL's authority (`:99999`, a typo) is
 * named as the port, as libpq names it: before, the URL parser's refusal gave
 * only the generic hint about percent-encoding the password. A port from
 * PGPORT is named as PGPORT's, since the URL given holds none. Never a
 * password, even one holding a `/` that makes digits look like a port.
 */
import { assert, assertThrows } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { parsePostgresUrl } from "../src/repo/postgres_url.ts";

const noEnv = () => undefined;

Deno.test("repo: a PostgreSQL URL's port out of range is named, PGPORT's as PGPORT's", () => {
  const refused = (url: string, env: (n: string) => string | undefined = noEnv) =>
    assertThrows(() => parsePostgresUrl(url, env), CatalogUnavailableError).message;
  assert(refused("postgres://vc@db:99999/x").includes("port 99999 is not a port number"));
  assert(refused("postgres://vc@[::1]:70000/x").includes("port 70000 is not a port number"));
  const env = refused("postgres://vc@db/x", (n) => n === "PGPORT" ? "abc" : undefined);
  assert(env.includes("PGPORT=abc is not a port number"), env);
  // A password with an unencoded `/`: its digits are not called a port.
  const pw = refused("postgres://vc:99999/pw@db/x");
  assert(!pw.includes("99999"), pw);
  assert(pw.includes("percent-encoded"), pw);
});
