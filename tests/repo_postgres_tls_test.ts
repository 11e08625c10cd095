/**
 * A PostgreSQL catalog URL's `sslmode` (libpq's, or `PGSSLMODE`) decides
 * whether the connection is TLS: `require` is never plain text, a value libpq
 * would not take is refused, the `verify-*` modes check the certificate
 * (against `sslrootcert`); and an IPv6 literal host (`[::1]`) connects. Before,
 * vc ignored every URL parameter (`?sslmode=require` connected in plain text)
 * and looked `[::1]` up as a host name.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const haveOpenssl = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

const noEnv = () => undefined;

/** Whether the catalog's connection at `url` is TLS, as the server sees it. */
async function usesTls(
  url: string,
  env: (name: string) => string | undefined = noEnv,
): Promise<boolean> {
  const catalog = await openPostgresCatalog(url, { env });
  try {
    const rows = await catalog.transaction(
      "read",
      (tx) => tx.query("SELECT ssl::int AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
    );
    return rows[0]?.ssl === 1;
  } finally {
    await catalog.close();
  }
}

Deno.test({
  name:
    "repo: a PostgreSQL catalog's sslmode and an IPv6 host are honoured (needs PostgreSQL initdb and openssl, else ignored)",
  ignore: !havePostgres || !haveOpenssl,
  fn: async () => {
    await using pg = await startPgServer({ tls: true, ipv6: true });
    const url = pg.url;
    const ca = pg.caFile!;
    assertEquals(await usesTls(`${url}?sslmode=require`), true);
    assertEquals(await usesTls(`${url}?sslmode=prefer`), true);
    assertEquals(await usesTls(`${url}?sslmode=disable`), false);
    assertEquals(await usesTls(url), false, "no sslmode: plain text, as before");
    assertEquals(await usesTls(url, (n) => n === "PGSSLMODE" ? "require" : undefined), true);
    // The URL's sslmode comes before PGSSLMODE, as in libpq.
    assertEquals(
      await usesTls(`${url}?sslmode=disable`, (n) => n === "PGSSLMODE" ? "require" : undefined),
      false,
    );
    // A self-signed certificate is not trusted by the system's CAs.
    await assertRejects(
      () => usesTls(`${url}?sslmode=verify-full`),
      CatalogUnavailableError,
      "cannot reach PostgreSQL catalog",
    );
    const localhost = url.replace("127.0.0.1", "localhost");
    assertEquals(await usesTls(`${localhost}?sslmode=verify-full&sslrootcert=${ca}`), true);
    assertEquals(
      await usesTls(
        localhost,
        (n) => ({ PGSSLMODE: "verify-full", PGSSLROOTCERT: ca } as Record<string, string>)[n],
      ),
      true,
    );
    // The certificate names localhost, not 127.0.0.1: verify-full refuses,
    // verify-ca (the chain only) takes it.
    await assertRejects(
      () => usesTls(`${url}?sslmode=verify-full&sslrootcert=${ca}`),
      CatalogUnavailableError,
    );
    assertEquals(await usesTls(`${url}?sslmode=verify-ca&sslrootcert=${ca}`), true);
    // require with a root certificate checks the chain, as verify-ca (libpq's
    // rule): before, the certificate named was never looked at.
    assertEquals(await usesTls(`${url}?sslmode=require&sslrootcert=${ca}`), true);
    // Another server's self-signed certificate is not this one's CA.
    await using other = await startPgServer({ tls: true });
    await assertRejects(
      () => usesTls(`${url}?sslmode=require&sslrootcert=${other.caFile}`),
      CatalogUnavailableError,
      "cannot reach PostgreSQL catalog",
    );
    await assertRejects(
      () => usesTls(`${url}?sslmode=verify-ca&sslrootcert=${ca}.missing`),
      CatalogUnavailableError,
      "sslrootcert",
    );
    for (const bad of ["on", "REQUIRE", ""]) {
      await assertRejects(
        () => usesTls(`${url}?sslmode=${bad}`),
        CatalogUnavailableError,
        `invalid sslmode=${bad} `,
      );
    }
    // An IPv6 literal, in its brackets.
    assertEquals(await usesTls(url.replace("127.0.0.1", "[::1]")), false);
    assertEquals(await usesTls(`${url.replace("127.0.0.1", "[::1]")}?sslmode=require`), true);

    // The marker keeps the sslmode, so every machine's open uses TLS too.
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_pg_tls_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await (await Repository.init(uri, { catalog: `${url}?sslmode=require` })).close();
      await using repo = await Repository.open(uri);
      await repo.add("/a.txt", new Uint8Array([1]));
      const rows = await repo.catalog.transaction(
        "read",
        (tx) => tx.query("SELECT ssl::int AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
      );
      assertEquals(rows[0]?.ssl, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "repo: sslmode=require refuses a PostgreSQL server without TLS (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    await assertRejects(
      () => usesTls(`${pg.url}?sslmode=require`),
      CatalogUnavailableError,
      "(its sslmode requires TLS)",
    );
    // prefer and allow fall back to plain text, as libpq's do.
    assertEquals(await usesTls(`${pg.url}?sslmode=prefer`), false);
    assertEquals(await usesTls(`${pg.url}?sslmode=allow`), false);
  },
});
