/**
 * A PostgreSQL catalog's URL is read as libpq reads it, and every query
 * parameter is honoured or refused by name. Before, vc read only the user,
 * password, host, port, database and `sslmode`/`sslrootcert` and dropped every
 * other parameter in silence: `?sslmod=require` (a typo) connected in plain
 * text, `?host=/run/postgresql` went to localhost over TCP,
 * `?application_name=`, `?options=-c search_path=…`, `?connect_timeout=`,
 * `?target_session_attrs=read-only` and `?passfile=` did nothing,
 * `?sslmode=require&sslrootcert=ca.pem` checked no certificate, and `h1,h2`
 * was looked up as one host name.
 */
import { join } from "node:path";
import { userInfo } from "node:os";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { postgresTls } from "../src/repo/postgres_tls.ts";
import { parsePostgresUrl } from "../src/repo/postgres_url.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

const noEnv = (_name: string): string | undefined => undefined;
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

function refused(url: string, pattern: RegExp, env = noEnv): void {
  const error = assertThrows(() => parsePostgresUrl(url, env), CatalogUnavailableError);
  assert(pattern.test(error.message), `${url}: ${error.message}`);
}

Deno.test("repo: a PostgreSQL URL's parts and libpq's query parameters are read as libpq reads them", () => {
  const s = parsePostgresUrl(
    "postgresql://u%40x%3Ay:p%40s%3As%2Fw%25@db.internal:5433/cat" +
      "?application_name=x&connect_timeout=5&options=-c%20search_path%3Dvc" +
      "&target_session_attrs=read-write&keepalives_idle=30",
    noEnv,
  );
  assertEquals(
    [s.host, s.port, s.user, s.password, s.database],
    ["db.internal", 5433, "u@x:y", "p@s:s/w%", "cat"],
  );
  assertEquals(s.connection, { application_name: "x", options: "-c search_path=vc" });
  assertEquals([s.connectTimeoutS, s.targetSessionAttrs, s.keepAlive], [5, "read-write", 30]);
  // IPv6, in brackets or as a host= value.
  assertEquals(parsePostgresUrl("postgres://vc@[fd00::5]:6000/x", noEnv).host, "fd00::5");
  assertEquals(parsePostgresUrl("postgres:///x?host=::1&port=6000", noEnv).port, 6000);
  // A Unix socket's directory: libpq's host= form, or percent-encoded in the URL.
  assertEquals(
    parsePostgresUrl("postgresql:///x?host=/var/run/postgresql", noEnv).host,
    "/var/run/postgresql",
  );
  assertEquals(parsePostgresUrl("postgres://%2Fvar%2Frun%2Fpg/x", noEnv).host, "/var/run/pg");
  // Query parameters over the URL's parts; a `+` stays a `+` (libpq decodes %XX only).
  const q = parsePostgresUrl("postgres://a:b@h/d?user=u2&dbname=d2&password=p+q", noEnv);
  assertEquals([q.user, q.database, q.password], ["u2", "d2", "p+q"]);
  // The environment for what the URL leaves out; libpq's defaults last.
  const e = parsePostgresUrl(
    "postgres:///",
    envOf({
      PGHOST: "/tmp/s",
      PGPORT: "5444",
      PGUSER: "w",
      PGAPPNAME: "job",
      PGOPTIONS: "-c work_mem=8MB",
      PGCONNECT_TIMEOUT: "1",
      PGPASSFILE: "/p",
    }),
  );
  assertEquals(
    [e.host, e.port, e.user, e.database, e.connection, e.connectTimeoutS, e.passfile],
    ["/tmp/s", 5444, "w", "w", { application_name: "job", options: "-c work_mem=8MB" }, 2, "/p"],
  );
  const d = parsePostgresUrl(
    "postgres:///?fallback_application_name=fb&connect_timeout=0",
    noEnv,
    [], // no socket directory: localhost, wherever the test runs
  );
  assertEquals([d.host, d.port, d.user, d.connection.application_name, d.connectTimeoutS], [
    "localhost",
    5432,
    userInfo().username, // libpq's default: the process's user
    "fb",
    0,
  ]);
  assertEquals(parsePostgresUrl("postgres://h/d", noEnv).connection, {
    application_name: "vc-repo",
  });
  assertEquals(parsePostgresUrl("postgres://h/d?passfile=/x&keepalives=0", noEnv).keepAlive, null);
  assertEquals(parsePostgresUrl("postgres://h/d?passfile=/x", noEnv).passfile, "/x");
  // Values that ask for what the driver does anyway.
  const same = parsePostgresUrl(
    "postgres://h/d?gssencmode=disable&channel_binding=prefer&client_encoding=UTF8&target_session_attrs=any",
    noEnv,
  );
  assertEquals(same.targetSessionAttrs, undefined);
});

Deno.test("repo: a PostgreSQL URL parameter vc cannot honour is refused by name, never ignored", () => {
  refused("postgres://h/d?sslmod=require", /unknown parameter "sslmod".*did you mean "sslmode"\?/);
  refused("postgres://h/d?applicaton_name=x", /did you mean "application_name"/);
  refused("postgres://h/d?PassWord=secret", /unknown parameter "PassWord"/);
  refused("postgres://h/d?sslcert=/c.pem", /sslcert is not supported/);
  refused("postgres://h/d?hostaddr=10.0.0.1", /hostaddr is not supported/);
  refused("postgres://h/d?service=x", /service is not supported/);
  refused("postgres://h/d?keepalives_count=3", /keepalives_count is not supported/);
  refused("postgres://h/d?gssencmode=require", /gssencmode=require is not supported/);
  refused("postgres://h/d?channel_binding=require", /channel_binding=require/);
  refused("postgres://h/d?client_encoding=LATIN1", /client_encoding=LATIN1.*UTF8 only/);
  refused("postgres://h/d?target_session_attrs=rw", /target_session_attrs=rw is not one of/);
  refused("postgres://h/d?connect_timeout=5s", /connect_timeout=5s/);
  refused("postgres://h/d?keepalives=yes", /keepalives=yes/);
  refused("postgres://h/d?port=x", /port x is not a port number/);
  refused("postgres://h/d?sslmode", /"sslmode" is not name=value/);
  // libpq's failover between hosts: the driver has none that works, so one host only.
  refused("postgres://h1,h2/d", /several hosts \(h1,h2\) are not supported/);
  refused("postgres://h1:5432,h2:5433/d", /several hosts \(h1:5432,h2:5433\)/);
  refused("postgres:///d?host=h1,h2", /several hosts/);
  refused("postgres:///d", /several hosts/, envOf({ PGHOST: "h1,h2" }));
  // Never the password, wherever it is.
  const error = assertThrows(
    () => parsePostgresUrl("postgres://u:s3cret@h/d?password=s3cret&sslcrl=x", noEnv),
    CatalogUnavailableError,
  );
  assert(!error.message.includes("s3cret"), error.message);
});

Deno.test("repo: sslrootcert is checked against or refused, as libpq does", async () => {
  const q = (s: string) => parsePostgresUrl(`postgres://h/d?${s}`, noEnv).params;
  const dir = await Deno.makeTempDir();
  try {
    const ca = join(dir, "ca.pem");
    await Deno.writeTextFile(ca, "not read by the driver here");
    // require with a root certificate checks it, as verify-ca (libpq's rule).
    const tls = await postgresTls(q(`sslmode=require&sslrootcert=${ca}`), "h", noEnv);
    assert(typeof tls === "object" && tls !== null && tls.ca !== undefined);
    assertEquals(
      await postgresTls(q("sslmode=require"), "h", envOf({ PGSSLROOTCERT: ca })).then((t) =>
        typeof t
      ),
      "object",
    );
    // No mode that checks: refused, not a certificate nothing looks at.
    for (const mode of ["", "sslmode=prefer&", "sslmode=allow&", "sslmode=disable&"]) {
      await assertRejects(
        () => postgresTls(q(`${mode}sslrootcert=${ca}`), "h", noEnv),
        CatalogUnavailableError,
        "checks no certificate",
      );
    }
    // system: verify-full, and nothing weaker (libpq 16).
    const system = await postgresTls(q("sslrootcert=system"), "h", noEnv);
    assert(typeof system === "object" && system !== null && system.ca === undefined);
    await assertRejects(
      () => postgresTls(q("sslmode=verify-ca&sslrootcert=system"), "h", noEnv),
      CatalogUnavailableError,
      "use verify-full",
    );
    await assertRejects(
      () => postgresTls(q("sslnegotiation=direct"), "h", noEnv),
      CatalogUnavailableError,
      "sslnegotiation=direct needs",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "repo: a PostgreSQL catalog connects through a Unix socket with libpq's parameters (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const dir = await Deno.makeTempDir();
    try {
      const passfile = join(dir, "pgpass");
      await Deno.writeTextFile(passfile, "*:*:*:*:unused\n");
      const socketUrl = `postgresql:///vc_test?host=${encodeURIComponent(pg.socketDir)}` +
        `&port=${pg.port}&user=vc&application_name=url_options_app&options=-c%20search_path%3Dvc_s` +
        `&connect_timeout=5&target_session_attrs=read-write&passfile=${
          encodeURIComponent(passfile)
        }`;
      const catalog = await openPostgresCatalog(socketUrl, { env: noEnv });
      try {
        const rows = await catalog.transaction("read", (tx) =>
          tx.query(
            "SELECT current_setting('application_name') AS app, " +
              "current_setting('search_path') AS path, " +
              "(SELECT (client_addr IS NULL)::int FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS unix",
          ));
        assertEquals(rows[0], { app: "url_options_app", path: "vc_s", unix: 1 });
      } finally {
        await catalog.close();
      }
      // The same, the directory percent-encoded as the URL's host.
      const hostForm = await openPostgresCatalog(
        `postgres://vc@${encodeURIComponent(pg.socketDir)}:${pg.port}/vc_test`,
        { env: noEnv },
      );
      await hostForm.close();
      // target_session_attrs the server does not match: an error that says so.
      await assertRejects(
        () => openPostgresCatalog(`${pg.url}?target_session_attrs=read-only`, { env: noEnv }),
        CatalogUnavailableError,
        "target_session_attrs=read-only",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("repo: a PostgreSQL URL with %00 in any part is refused, as libpq refuses it", () => {
  // A NUL would end the string the driver sends: `cat%00options%00-c…`
  // reached the server as database `cat` and a second startup parameter.
  refused("postgres://u@h/cat%00options%00-cx%3Dy", /database name contains %00/);
  refused("postgres://u%00x@h/cat", /user name contains %00/);
  refused("postgres://u@h/cat?application_name=a%00b", /application_name parameter contains %00/);
  refused("postgres://u@h/cat?options=-c%00x", /options parameter contains %00/);
  refused("postgres://u@%00h/cat", /contains %00|expected postgres:/);
  const error = assertThrows(
    () => parsePostgresUrl("postgres://u:s3%00cret@h/d", noEnv),
    CatalogUnavailableError,
  );
  assertEquals(
    error.message,
    "invalid PostgreSQL URL postgres://u@h/d: its password contains %00 (a NUL, which no " +
      "PostgreSQL string can hold)",
  );
  const query = assertThrows(
    () => parsePostgresUrl("postgres://u@h/d?password=s3%00cret", noEnv),
    CatalogUnavailableError,
  );
  assert(!query.message.includes("s3"), query.message);
});

Deno.test("repo: an unknown parameter's value (a misspelt password=) is never in the message", () => {
  for (const name of ["pasword", "passwd", "pwd", "Password", "pa%73swd"]) {
    const error = assertThrows(
      () => parsePostgresUrl(`postgres://u@h/d?sslmode=require&${name}=s3cret`, noEnv),
      CatalogUnavailableError,
    );
    assert(!error.message.includes("s3cret"), error.message);
    assert(error.message.includes("sslmode=require"), error.message);
  }
});

Deno.test({
  name: "repo: a PostgreSQL URL with no host goes to the server's Unix socket, as libpq's default",
  ignore: Deno.build.os === "windows",
  async fn() {
    // Before, `postgres:///vc` went to localhost over TCP, where libpq (and
    // psql) connect through the socket in their socket directory.
    const dir = await Deno.makeTempDir();
    const missing = join(dir, "none");
    const listener = Deno.listen({ transport: "unix", path: join(dir, ".s.PGSQL.6543") });
    try {
      const at = (url: string) => parsePostgresUrl(url, noEnv, [missing, dir]).host;
      assertEquals(at("postgres:///vc?port=6543"), dir);
      // Another port's server has no socket there: TCP to localhost.
      assertEquals(at("postgres:///vc"), "localhost");
      // A host given, or PGHOST, comes first.
      assertEquals(at("postgres://db:6543/vc"), "db");
      assertEquals(
        parsePostgresUrl("postgres:///vc?port=6543", (n) => n === "PGHOST" ? "h" : undefined, [
          dir,
        ]).host,
        "h",
      );
      assertEquals(parsePostgresUrl("postgres:///vc?port=6543", noEnv, []).host, "localhost");
    } finally {
      listener.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("repo: a PostgreSQL URL with an empty host beside a user or a port goes where libpq goes", () => {
  // `postgresql://:5433/db` and `postgresql://vc@/db` are libpq's; the URL
  // parser alone refuses an empty host there.
  const dir = Deno.makeTempDirSync();
  // The default socket directory holding the port's socket is the host.
  const socket = Deno.listen({ transport: "unix", path: join(dir, ".s.PGSQL.5433") });
  try {
    const port = parsePostgresUrl("postgresql://:5433/db", noEnv, [dir]);
    assertEquals([port.host, port.port, port.user, port.database], [
      dir,
      5433,
      userInfo().username,
      "db",
    ]);
    const user = parsePostgresUrl("postgresql://vc:p%40ss@/cat", noEnv, []);
    assertEquals([user.host, user.port, user.user, user.password], [
      "localhost",
      5432,
      "vc",
      "p@ss",
    ]);
    const both = parsePostgresUrl("postgres://vc@:5433", envOf({ PGHOST: "pg.internal" }), []);
    assertEquals([both.host, both.port, both.database], ["pg.internal", 5433, "vc"]);
    // Still refused by name, its password never shown.
    refused("postgresql://vc:secret@:5433/db?bogus=1", /^(?!.*secret).*unknown parameter "bogus"/);
  } finally {
    socket.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
