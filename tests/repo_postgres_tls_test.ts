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
import { backendAlive, haveOpenssl, havePostgres, startPgServer } from "./pg_server.ts";
import { rawServer, silentServer } from "./raw_server.ts";

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

/** The server's log lines that say a client's TLS connection ended uncleanly. */
const UNCLEAN_CLOSE =
  /SSL error|SSL SYSCALL|could not receive data|unexpected EOF|reset by peer|invalid frontend message/i;

Deno.test({
  name:
    "repo: an idle PostgreSQL TLS connection is closed inside TLS, without an error in the server's log (needs PostgreSQL initdb and openssl, else ignored)",
  ignore: !havePostgres || !haveOpenssl,
  fn: async () => {
    await using pg = await startPgServer({ tls: true });
    const pid = (rows: Record<string, unknown>[]) => Number(rows[0]?.["pid"]);
    const catalog = await openPostgresCatalog(`${pg.url}?sslmode=require`, {
      env: noEnv,
      idleCloseMs: 200,
    });
    try {
      const first = await catalog.transaction(
        "read",
        (tx) =>
          tx.query(
            "SELECT pg_backend_pid() AS pid, ssl::int AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
          )
            .then((rows) => {
              assertEquals(rows[0]?.["ssl"], 1);
              return pid(rows);
            }),
      );
      await new Promise((r) => setTimeout(r, 800));
      assertEquals(
        await backendAlive(pg.url, first, noEnv),
        false,
        "the idle connection is still open",
      );
      // Reopened over TLS when needed.
      const second = await catalog.transaction(
        "read",
        (tx) => tx.query("SELECT ssl::int AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"),
      );
      assertEquals(second[0]?.["ssl"], 1);
    } finally {
      await catalog.close();
    }
    const log = await Deno.readTextFile(join(pg.socketDir, "log"));
    const unclean = log.split("\n").filter((line) => UNCLEAN_CLOSE.test(line));
    assertEquals(unclean, [], "the server logged an unclean close");
  },
});

Deno.test({
  name:
    "repo: a PostgreSQL catalog's TLS failures say why (needs PostgreSQL initdb and openssl, else ignored)",
  ignore: !havePostgres || !haveOpenssl,
  fn: async () => {
    await using plain = await startPgServer();
    // The server answers N to vc's SSLRequest: prefer goes on in plain text,
    // require stops and says so.
    assertEquals(await usesTls(`${plain.url}?sslmode=prefer`), false);
    await assertRejects(
      () => usesTls(`${plain.url}?sslmode=require`),
      CatalogUnavailableError,
      "(its sslmode requires TLS): the server does not offer TLS",
    );
    await assertRejects(
      () => usesTls(plain.url, (n) => n === "PGSSL" ? "require" : undefined),
      CatalogUnavailableError,
      "the server does not offer TLS",
    );
    // The certificate names localhost: 127.0.0.1 is not its name.
    await using pg = await startPgServer({ tls: true });
    await assertRejects(
      () => usesTls(`${pg.url}?sslmode=verify-full&sslrootcert=${pg.caFile}`),
      CatalogUnavailableError,
      "does not match certificate",
    );
    // A server that never answers the SSLRequest: the connect timeout.
    await using silent = silentServer();
    await assertRejects(
      () => usesTls(`postgres://vc@127.0.0.1:${silent.port}/x?sslmode=require&connect_timeout=2`),
      CatalogUnavailableError,
      "no answer from the server within 2 s",
    );
  },
});

Deno.test({
  name:
    "repo: a PostgreSQL TLS connection that fails leaves the pool able to connect again (needs PostgreSQL initdb and openssl, else ignored)",
  ignore: !havePostgres || !haveOpenssl,
  fn: async () => {
    await using pg = await startPgServer({ tls: true });
    // A proxy to the server that, while `refuse` is set, hangs up at once.
    let refuse = false;
    await using proxy = rawServer(async (conn) => {
      if (refuse) return conn.close();
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: pg.port });
      await Promise.allSettled([
        conn.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(conn.writable),
      ]);
    });
    const url = `${pg.url.replace(String(pg.port), String(proxy.port))}?sslmode=require`;
    const catalog = await openPostgresCatalog(url, {
      env: noEnv,
      maxConnections: 1,
      idleCloseMs: 100,
      // A few tries of each failing call (at once, then after 0.25 and 0.5 s),
      // not the 30 s a user gets: the pool's state is what is under test.
      connectRetryMs: 1_000,
      onConnectWait: () => {},
    });
    try {
      const one = () => catalog.transaction("read", (tx) => tx.query("SELECT 1 AS one"));
      await one();
      await new Promise((r) => setTimeout(r, 400)); // the idle connection is closed
      refuse = true;
      // More failures than the pool has connections: none may stay stuck.
      for (let i = 0; i < 3; i++) {
        await assertRejects(one, CatalogUnavailableError, "before answering SSLRequest");
      }
      refuse = false;
      const again = await Promise.race([
        one(),
        new Promise<never>((_, reject) => {
          const t = setTimeout(() => reject(new Error("the pool never connected again")), 10_000);
          Deno.unrefTimer(t);
        }),
      ]);
      assertEquals(again[0]?.["one"], 1);
    } finally {
      await catalog.close();
    }
  },
});
