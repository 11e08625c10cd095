/**
 * A PostgreSQL catalog named only by the store's marker (`.vc-repo.json`)
 * gets no `PGPASSWORD`. Anyone who may write to the store can rewrite the
 * marker to point at a server of theirs; vc connected there and, asked for a
 * cleartext password, sent `PGPASSWORD` as it is (and, through the driver's
 * own fallback to the process's environment, even when the library was given
 * another `env`). A password goes to a catalog this machine named
 * (`--catalog`, `VC_REPO_CATALOG`, the `postgresUrl` option), or from the
 * password file, whose lines are bound to a host, port, database and user.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository, type RepositoryOptions } from "../src/repo/repository.ts";
import { rawServer } from "./raw_server.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { runVc } from "./cli_process.ts";
import { storeWithMarker } from "./repo_marker_store.ts";

const PASSWORD = "hunter2-db-secret";
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A PostgreSQL-speaking server that asks for a cleartext password
 * (AuthenticationCleartextPassword), records what it is sent, then refuses
 * the login as PostgreSQL does (28P01).
 */
function passwordThief() {
  const received: string[] = [];
  const server = rawServer(async (conn) => {
    let buffered = new Uint8Array(0);
    const need = async (n: number) => {
      while (buffered.length < n) {
        const chunk = new Uint8Array(4096);
        const got = await conn.read(chunk);
        if (got === null) throw new Error("closed");
        const next = new Uint8Array(buffered.length + got);
        next.set(buffered);
        next.set(chunk.subarray(0, got), buffered.length);
        buffered = next;
      }
    };
    const take = (n: number) => {
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      return out;
    };
    // The startup message: its length, then the rest.
    await need(4);
    const length = new DataView(buffered.buffer, buffered.byteOffset).getUint32(0);
    await need(length);
    take(length);
    // AuthenticationCleartextPassword.
    await conn.write(new Uint8Array([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
    // The PasswordMessage: 'p', its length, the password, a NUL.
    await need(5);
    const type = buffered[0];
    const size = new DataView(buffered.buffer, buffered.byteOffset).getUint32(1);
    await need(1 + size);
    const body = take(1 + size).subarray(5);
    if (type === 0x70) received.push(dec.decode(body).replace(/\0$/, ""));
    const fields = 'SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "vc"\0\0';
    const error = new Uint8Array(5 + enc.encode(fields).length);
    error[0] = 0x45;
    new DataView(error.buffer).setUint32(1, error.length - 1);
    error.set(enc.encode(fields), 5);
    await conn.write(error);
    conn.close();
  });
  return { server, received };
}

const markerStore = (url: string) => storeWithMarker(url, "vc-marker-password-");

/** A password file in `dir` holding `lines`, with the mode libpq requires of one (0600). */
async function writePassfile(dir: string, lines: string): Promise<string> {
  const passfile = `${dir}/pgpass`;
  await Deno.writeTextFile(passfile, lines, { mode: 0o600 });
  await Deno.chmod(passfile, 0o600); // the umask may have taken bits off
  return passfile;
}

/**
 * `Repository.open(uri, options)` as the library's tests here open the
 * marker's catalog: no retry of a refused connection (`connectRetryMs: 0`)
 * and host `h`.
 */
function openAtOnce(uri: string, options: RepositoryOptions = {}): Promise<Repository> {
  return Repository.open(uri, { ...options, connectRetryMs: 0, host: "h" });
}

/** Runs `vc ARGS` with `env` added to the environment. */
const vc = runVc;

Deno.test("repo: PGPASSWORD is not sent to a PostgreSQL catalog named only by the store's marker", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  const catalog = `postgres://vc@127.0.0.1:${server.port}/vc`;
  await using store = await markerStore(catalog);
  const dir = store.dir;
  const error = await assertRejects(
    () => openAtOnce(`file://${dir}`, { env: { PGPASSWORD: PASSWORD } }),
    CatalogUnavailableError,
  );
  // Asked for a password, it got an empty one.
  assertEquals(received, [""]);
  // What happened, which catalog, and how to proceed.
  for (
    const words of [
      "PGPASSWORD was not sent",
      `${catalog}`,
      `named only by file://${dir}/.vc-repo.json`,
      "VC_REPO_CATALOG",
      "--catalog",
      ".pgpass",
    ]
  ) assertStringIncludes(error.message, words);
});

Deno.test("repo: vc repo sends PGPASSWORD of its environment only to a catalog named on this machine", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  const catalog = `postgres://vc@127.0.0.1:${server.port}/vc`;
  await using store = await markerStore(catalog);
  const dir = store.dir;
  const repo = `file://${dir}`;
  // Only the store URI and the password: the marker's catalog gets no password
  // (the driver, left without one, read PGPASSWORD from the process itself).
  const refused = await vc(["repo", "ls", "--repo", repo], {
    PGPASSWORD: PASSWORD,
    PGPASSFILE: `${dir}/no-pgpass`,
  });
  assertEquals(refused.code, 1, refused.stderr);
  // Asked for a password, it got an empty one.
  assertEquals(received, [""]);
  assert(refused.stderr.includes("VC_REPO_CATALOG"), refused.stderr);
  assert(!refused.stderr.includes(PASSWORD), refused.stderr);
  // Named on this machine (the variable, or --catalog): the user chose the server.
  const named = await vc(["repo", "ls", "--repo", repo], {
    PGPASSWORD: PASSWORD,
    VC_REPO_CATALOG: catalog,
    PGPASSFILE: `${dir}/no-pgpass`,
  });
  assertEquals(named.code, 1, named.stderr);
  assertEquals(received, ["", PASSWORD], named.stderr);
  const flag = await vc(["repo", "ls", "--repo", repo, "--catalog", catalog], {
    PGPASSWORD: PASSWORD,
    PGPASSFILE: `${dir}/no-pgpass`,
  });
  assertEquals(flag.code, 1, flag.stderr);
  assertEquals(received, ["", PASSWORD, PASSWORD]);
});

Deno.test("repo: a marker rewritten to another server is refused before any connection when VC_REPO_CATALOG names the catalog", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  await using store = await markerStore(`postgres://vc@127.0.0.1:${server.port}/vc`);
  const dir = store.dir;
  const mine = "postgres://vc@db.internal:5432/vc";
  const refused = await vc(["repo", "ls", "--repo", `file://${dir}`], {
    PGPASSWORD: PASSWORD,
    VC_REPO_CATALOG: mine,
    PGPASSFILE: `${dir}/no-pgpass`,
  });
  assertEquals(refused.code, 1, refused.stderr);
  assertEquals(server.accepted(), 0);
  assertEquals(received, []);
  for (
    const words of [
      `catalog ${mine} is not the repository's catalog postgres://vc@127.0.0.1:${server.port}/vc`,
      ".vc-repo.json",
      "VC_REPO_CATALOG",
    ]
  ) assertStringIncludes(refused.stderr, words);
});

Deno.test("repo: the password file's line for the marker's catalog is still used (bound to its host)", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  await using store = await markerStore(`postgres://vc@127.0.0.1:${server.port}/vc`);
  const dir = store.dir;
  const passfile = await writePassfile(dir, `127.0.0.1:${server.port}:vc:vc:from-pgpass\n`);
  await assertRejects(
    () => openAtOnce(`file://${dir}`, { env: { PGPASSFILE: passfile, PGPASSWORD: PASSWORD } }),
    CatalogUnavailableError,
    `password retrieved from file ${passfile}`,
  );
  assertEquals(received, ["from-pgpass"]);
  // The library's postgresUrl names the catalog too.
  await assertRejects(
    () =>
      openAtOnce(`file://${dir}`, {
        env: { PGPASSWORD: PASSWORD },
        postgresUrl: `postgres://vc@127.0.0.1:${server.port}/vc`,
      }),
    CatalogUnavailableError,
  );
  assertEquals(received, ["from-pgpass", PASSWORD]);
  await assertRejects(
    () => openAtOnce(`file://${dir}`, { postgresUrl: "postgres://vc@db.internal/vc" }),
    InvalidInputError,
    "not the repository's catalog",
  );
});

Deno.test("repo: a password file's line for every host (*) is not sent to a catalog named only by the marker", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  const catalog = `postgres://vc@127.0.0.1:${server.port}/vc`;
  await using store = await markerStore(catalog);
  const dir = store.dir;
  const passfile = await writePassfile(dir, `*:*:*:vc:${PASSWORD}\n`);
  const error = await assertRejects(
    () => openAtOnce(`file://${dir}`, { env: { PGPASSFILE: passfile } }),
    CatalogUnavailableError,
    `the line of ${passfile} for every host (*) was not used: the catalog ${catalog} is named ` +
      `only by file://${dir}/.vc-repo.json`,
  );
  assert(error.message.includes(`or give its host in a line of ${passfile}`), error.message);
  assertEquals(received, [""]);
  // Named on this machine, the same line serves it, as libpq reads it.
  await assertRejects(
    () =>
      openAtOnce(`file://${dir}`, {
        env: { PGPASSFILE: passfile },
        postgresUrl: catalog,
      }),
    CatalogUnavailableError,
  );
  assertEquals(received, ["", PASSWORD]);
});

Deno.test("repo: require_auth (or PGREQUIREAUTH) refuses a server asking for a cleartext password before anything is sent", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  const catalog = `postgres://vc@127.0.0.1:${server.port}/vc`;
  await using store = await markerStore(`${catalog}?require_auth=password`);
  const uri = `file://${store.dir}`;
  const words = "the server asked for a cleartext password, which";
  await assertRejects(
    () =>
      openAtOnce(uri, {
        env: { PGPASSWORD: PASSWORD, PGPASSFILE: `${store.dir}/none` },
        postgresUrl: `${catalog}?require_auth=scram-sha-256`,
      }),
    CatalogUnavailableError,
    `${words} require_auth=scram-sha-256 does not allow (nothing was sent)`,
  );
  await assertRejects(
    () =>
      openAtOnce(uri, {
        env: { PGPASSWORD: PASSWORD, PGREQUIREAUTH: "!password,!md5" },
        postgresUrl: catalog,
      }),
    CatalogUnavailableError,
    `${words} PGREQUIREAUTH=!password,!md5 does not allow`,
  );
  // The marker's own require_auth=password does not loosen this machine's.
  await assertRejects(
    () =>
      openAtOnce(uri, { env: { PGREQUIREAUTH: "scram-sha-256", PGPASSFILE: `${store.dir}/none` } }),
    CatalogUnavailableError,
    `${words} PGREQUIREAUTH=scram-sha-256 does not allow`,
  );
  assertEquals(received, []);
});

Deno.test("repo: the marker's sslmode does not loosen this machine's PGSSLMODE before a password file's line is sent", async () => {
  const { server, received } = passwordThief();
  await using _ = server;
  await using store = await markerStore(
    `postgres://vc@127.0.0.1:${server.port}/vc?sslmode=disable`,
  );
  const dir = store.dir;
  const passfile = await writePassfile(dir, `127.0.0.1:${server.port}:vc:vc:from-pgpass\n`);
  // This machine requires TLS: the plain-text server never gets the password.
  await assertRejects(
    () => openAtOnce(`file://${dir}`, { env: { PGPASSFILE: passfile, PGSSLMODE: "require" } }),
    CatalogUnavailableError,
    "its sslmode=disable is weaker than this machine's PGSSLMODE=require",
  );
  assertEquals(received, []);
  // With no sslmode of this machine's, the marker's is used.
  await assertRejects(
    () => openAtOnce(`file://${dir}`, { env: { PGPASSFILE: passfile } }),
    CatalogUnavailableError,
  );
  assertEquals(received, ["from-pgpass"]);
});

Deno.test({
  name:
    "repo: many machines on a password-protected PostgreSQL catalog: VC_REPO_CATALOG and PGPASSWORD, or the password file (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: PASSWORD });
    const dir = await Deno.makeTempDir({ prefix: "vc-marker-password-pg-" });
    try {
      const uri = `file://${dir}/repo`;
      const url = new URL(pg.url);
      url.password = PASSWORD;
      {
        await using repo = await Repository.init(uri, { catalog: url.href, env: {} });
        await repo.add("/a.txt", enc.encode("a"));
      }
      const noFile = { PGPASSFILE: `${dir}/no-pgpass` };
      // Only the store URI and PGPASSWORD: refused, saying why and what to do.
      await assertRejects(
        () => Repository.open(uri, { env: { ...noFile, PGPASSWORD: PASSWORD } }),
        CatalogUnavailableError,
        `PGPASSWORD was not sent: the catalog ${pg.url} is named only by ${uri}/.vc-repo.json`,
      );
      // Named on this machine: the library's postgresUrl (the CLI's --catalog
      // or VC_REPO_CATALOG), with the password in PGPASSWORD.
      {
        await using repo = await Repository.open(uri, {
          postgresUrl: pg.url,
          env: { ...noFile, PGPASSWORD: PASSWORD },
        });
        assertEquals((await repo.list()).length, 1);
      }
      const cli = await vc(["repo", "ls", "--repo", uri, "--json"], {
        ...noFile,
        PGPASSWORD: PASSWORD,
        VC_REPO_CATALOG: pg.url,
      });
      assertEquals(cli.code, 0, cli.stderr);
      // Or only the store URI, the password in the password file, on its
      // server's line.
      const line = `${url.hostname}:${url.port}:*:${url.username}:${PASSWORD}\n`;
      const passfile = await writePassfile(dir, line);
      {
        await using repo = await Repository.open(uri, { env: { PGPASSFILE: passfile } });
        assertEquals((await repo.list()).length, 1);
      }
      // A server asking for SCRAM passes require_auth=scram-sha-256.
      {
        await using repo = await Repository.open(uri, {
          env: { PGPASSFILE: passfile, PGREQUIREAUTH: "scram-sha-256" },
        });
        assertEquals((await repo.list()).length, 1);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
