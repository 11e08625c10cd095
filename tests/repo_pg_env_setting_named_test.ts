/**
 * A connection setting that libpq's environment variable gave (the URL given
 * holds none) is named by that variable when its value is refused:
 * `PGCONNECT_TIMEOUT=x`, not `connect_timeout=x`, which sent the user to look
 * for a parameter the URL shown does not have. The URL's own parameter is
 * still named as the parameter.
 */
import { assert, assertRejects, assertThrows } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { parsePostgresUrl } from "../src/repo/postgres_url.ts";
import { postgresTls } from "../src/repo/postgres_tls.ts";

const only = (name: string, value: string) => (n: string) => n === name ? value : undefined;

Deno.test("repo: a PostgreSQL setting refused from the environment names its variable", () => {
  const cases: [param: string, envName: string, value: string][] = [
    ["connect_timeout", "PGCONNECT_TIMEOUT", "ten"],
    ["client_encoding", "PGCLIENTENCODING", "LATIN1"],
    ["target_session_attrs", "PGTARGETSESSIONATTRS", "master"],
  ];
  for (const [param, envName, value] of cases) {
    const fromEnv = assertThrows(
      () => parsePostgresUrl("postgres://vc@db/x", only(envName, value)),
      CatalogUnavailableError,
    ).message;
    assert(fromEnv.includes(`${envName}=${value}`), fromEnv);
    const fromUrl = assertThrows(
      () => parsePostgresUrl(`postgres://vc@db/x?${param}=${value}`, only(envName, "1")),
      CatalogUnavailableError,
    ).message;
    assert(fromUrl.includes(`${param}=${value}`), fromUrl);
  }
});

Deno.test("repo: an sslmode or sslrootcert refused from the environment names its variable", async () => {
  const none = new Map<string, string>();
  const mode = await assertRejects(
    () => postgresTls(none, "db", only("PGSSLMODE", "on")),
    CatalogUnavailableError,
  );
  assert(mode.message.includes("PGSSLMODE=on"), mode.message);
  const inUrl = await assertRejects(
    () => postgresTls(new Map([["sslmode", "on"]]), "db", only("PGSSLMODE", "require")),
    CatalogUnavailableError,
  );
  assert(inUrl.message.includes("invalid sslmode=on"), inUrl.message);
  const missing = `${await Deno.makeTempDir()}/none.pem`;
  try {
    const cert = await assertRejects(
      () =>
        postgresTls(new Map([["sslmode", "verify-full"]]), "db", only("PGSSLROOTCERT", missing)),
      CatalogUnavailableError,
    );
    assert(cert.message.includes(`PGSSLROOTCERT ${missing}`), cert.message);
  } finally {
    await Deno.remove(missing.slice(0, -"/none.pem".length), { recursive: true });
  }
});
