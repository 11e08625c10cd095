/**
 * A real, throwaway PostgreSQL server for tests and benchmarks: `initdb` into
 * a temp dir, `pg_ctl start` on a free 127.0.0.1 port with trust auth, and
 * stop + remove on dispose. When running as root (CI), the cluster is owned
 * by and run as the `postgres` user, since PostgreSQL refuses to run as root.
 */
import { join } from "node:path";
import type { Catalog } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";

/** The directory holding initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export const PG_BIN: string | undefined = findPgBin();

const isRoot = Deno.uid() === 0;

/** Whether tests against PostgreSQL can run here (as root: also needs the `postgres` user to run it as). */
export const havePostgres: boolean = PG_BIN !== undefined && (!isRoot || userExists("postgres"));

/** Whether `openssl` is here, to make the certificate of a server started with `tls`. */
export const haveOpenssl: boolean = (() => {
  try {
    return new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

function userExists(name: string): boolean {
  try {
    return new Deno.Command("id", { args: ["-u", name], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

function findPgBin(): string | undefined {
  const candidates: string[] = [];
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name)
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  } catch {
    // not a Debian layout
  }
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) if (dir) candidates.push(dir);
  for (const dir of candidates) {
    try {
      Deno.statSync(join(dir, "initdb"));
      Deno.statSync(join(dir, "pg_ctl"));
      return dir;
    } catch {
      // next
    }
  }
  return undefined;
}

/** A running server. */
export interface PgServer extends AsyncDisposable {
  /** `postgres://USER@127.0.0.1:PORT/DB` for a fresh database. */
  url: string;
  /**
   * Creates another empty database and returns its URL; `clauses` are
   * appended to its `CREATE DATABASE` (e.g. another locale).
   */
  createDatabase(name: string, clauses?: string): Promise<string>;
  /** The server's port. */
  port: number;
  /** The directory of the server's Unix socket (`.s.PGSQL.PORT`). */
  socketDir: string;
  /** Restarts the server (`pg_ctl restart -m fast`: sessions are ended, as in a real restart). */
  restart(): Promise<void>;
  /** Stops the server (`pg_ctl stop -m fast`), as a server down; `start` starts it again. */
  stop(): Promise<void>;
  /** Starts a stopped server again. */
  start(): Promise<void>;
  /** With `tls`: the self-signed certificate the server presents. */
  caFile?: string;
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const argv = isRoot ? ["runuser", "-u", "postgres", "--", cmd, ...args] : [cmd, ...args];
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    throw new Error(`${cmd} ${args.join(" ")} failed: ${text}`);
  }
  return new TextDecoder().decode(out.stdout);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Options of {@linkcode startPgServer}. */
export interface PgServerOptions {
  /** Also listen on IPv6's loopback `::1` (the URL still names 127.0.0.1). */
  ipv6?: boolean;
  /**
   * Offer TLS, with a self-signed certificate for `localhost` (written to the
   * server's `caFile`, to check it against).
   */
  tls?: boolean;
  /**
   * Ask TCP clients for this password (scram-sha-256) instead of trusting
   * them; the URL still names none.
   */
  password?: string;
}

/** Starts a server; dispose it to stop it and delete its files. */
export async function startPgServer(options: PgServerOptions = {}): Promise<PgServer> {
  if (!PG_BIN) throw new Error("PostgreSQL (initdb, pg_ctl) is not installed");
  const dir = await Deno.makeTempDir({ prefix: "vc_pg_" });
  if (isRoot) {
    await Deno.chmod(dir, 0o755);
    await chownToPostgres(dir);
  }
  const data = join(dir, "data");
  // Re-picked when another process took it between freePort() and the
  // server's bind (parallel test batches each start servers).
  let port = freePort();
  let started = false;
  // Databases are made over one connection the server keeps, not a psql
  // process each: a process and a new backend cost more CPU than the
  // CREATE DATABASE, and some tests make one per step. FILE_COPY copies
  // the template's files (checkpoints are cheap with fsync off) instead
  // of logging its every page.
  let admin: AdminSql | undefined;
  const endAdmin = async () => {
    const open = admin;
    admin = undefined;
    await open?.end({ timeout: 1 }).catch(() => {});
  };
  try {
    if (options.password !== undefined) {
      await Deno.writeTextFile(join(dir, "pw"), `${options.password}\n`, { mode: 0o644 });
    }
    await initCluster(data, [
      "-U",
      "vc",
      ...(options.password === undefined
        ? ["--auth=trust"]
        : ["--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${join(dir, "pw")}`]),
      "--no-sync",
      "-E",
      "UTF8",
      "--locale=C",
    ], options.password ?? "");
    const tls = options.tls ? await makeCertificate(dir) : undefined;
    const hosts = options.ipv6 ? "127.0.0.1,::1" : "127.0.0.1";
    const tlsFlags = tls
      ? ` -c ssl=on -c ssl_cert_file=${tls.cert} -c ssl_key_file=${tls.key}`
      : "";
    const pgCtl = (action: string[]) =>
      run(join(PG_BIN!, "pg_ctl"), [
        "-D",
        data,
        "-l",
        join(dir, "log"),
        "-w",
        "-t",
        "60",
        "-o",
        `-h ${hosts} -p ${port} -k ${dir} -c fsync=off -c max_connections=100${tlsFlags}`,
        ...action,
      ]);
    for (let attempt = 1;; attempt++) {
      try {
        await pgCtl(["start"]);
        break;
      } catch (e) {
        const log = await Deno.readTextFile(join(dir, "log")).catch(() => "");
        const portTaken =
          /could not bind|Address already in use|could not create any TCP\/IP sockets/
            .test(log);
        if (portTaken && attempt < 3) {
          port = freePort();
          continue;
        }
        throw new Error(`${(e as Error).message}\nserver log:\n${log.slice(-2000)}`, { cause: e });
      }
    }
    started = true;
    const base = `postgres://vc@127.0.0.1:${port}`;
    const createDatabase = async (name: string, clauses = "") => {
      admin ??= await openAdmin(port, options.password);
      await admin.unsafe(`CREATE DATABASE "${name}" STRATEGY FILE_COPY ${clauses}`);
      return `${base}/${name}`;
    };
    const url = await createDatabase("vc_test");
    return {
      url,
      createDatabase,
      port,
      socketDir: dir,
      restart: async () => {
        await endAdmin();
        await pgCtl(["-m", "fast", "restart"]);
      },
      stop: async () => {
        await endAdmin();
        await pgCtl(["-m", "fast", "stop"]);
      },
      start: async () => {
        await pgCtl(["start"]);
      },
      ...(tls ? { caFile: tls.cert } : {}),
      async [Symbol.asyncDispose]() {
        await endAdmin();
        await run(join(PG_BIN!, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"])
          .catch(() => {});
        await Deno.remove(dir, { recursive: true });
      },
    };
  } catch (error) {
    await endAdmin();
    if (started) {
      await run(join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"])
        .catch(() => {});
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** The one connection of {@linkcode openAdmin}. */
interface AdminSql {
  unsafe(query: string): Promise<unknown>;
  end(options: { timeout: number }): Promise<void>;
}

/** A connection to the server's `postgres` database, as `vc` (with `password` if it asks one). */
async function openAdmin(port: number, password: string | undefined): Promise<AdminSql> {
  // Loaded here: files that only ask `havePostgres` never load the driver.
  const { default: postgres } = await import("postgres");
  return postgres({
    host: "127.0.0.1",
    port,
    user: "vc",
    database: "postgres",
    ...(password === undefined ? {} : { password }),
    max: 1,
    // No driver timers left to a test's sanitizer or keeping a process alive.
    idle_timeout: 0,
    max_lifetime: 0,
    fetch_types: false,
    onnotice: () => {},
  }) as unknown as AdminSql;
}

/**
 * Makes a fresh cluster in `data` with `initdb ARGS`. Under the test runner
 * (`scripts/test_shards.ts` sets `VC_TEST_RUN_DIR`, a directory it removes at
 * the end), the first server of a kind (`kind`: its password) is made by
 * initdb into a template there, and every later one is a copy of it: a copy
 * takes a few milliseconds of CPU where initdb takes over a second, and some
 * sixty servers start in a run.
 */
async function initCluster(data: string, args: string[], kind: string): Promise<void> {
  const runDir = Deno.env.get("VC_TEST_RUN_DIR");
  if (runDir === undefined) {
    await run(join(PG_BIN!, "initdb"), ["-D", data, ...args]);
    return;
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(kind));
  const name = [...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const templates = join(runDir, "pg_templates");
  const template = join(templates, name);
  try {
    await Deno.stat(template);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    await Deno.mkdir(templates, { recursive: true, mode: 0o755 });
    if (isRoot) await chownToPostgres(templates);
    // Made under a name of its own, then renamed: two processes making the
    // same template at once both end with one whole template.
    const making = `${template}.${crypto.randomUUID()}`;
    await run(join(PG_BIN!, "initdb"), ["-D", making, ...args]);
    try {
      await Deno.rename(making, template);
    } catch {
      await Deno.remove(making, { recursive: true });
    }
  }
  await run("cp", ["-a", template, data]);
}

/** Hands `dir` to the `postgres` user, which runs the servers when the tests run as root. */
async function chownToPostgres(dir: string): Promise<void> {
  const id = async (flag: string) => {
    const out = await new Deno.Command("id", { args: [flag, "postgres"], stdout: "piped" })
      .output();
    return Number(new TextDecoder().decode(out.stdout));
  };
  await Deno.chown(dir, await id("-u"), await id("-g"));
}

/** A self-signed certificate for `localhost` in `dir`, readable by the server's user. */
async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, "server.crt");
  const key = join(dir, "server.key");
  // Run as the server's user: PostgreSQL refuses a key file others may read.
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  await run("chmod", ["600", key]);
  return { cert, key };
}

/**
 * Whether the server at `url` still has a backend with process id `pid`,
 * asked over a connection of its own (closed after).
 */
export async function backendAlive(
  url: string,
  pid: number,
  env: (name: string) => string | undefined = () => undefined,
): Promise<boolean> {
  const watcher = await openPostgresCatalog(url, { env });
  try {
    return await watcher.transaction(
      "read",
      (tx) =>
        tx.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [pid])
          .then((rows) => Number(rows[0]?.["n"]) > 0),
    );
  } finally {
    await watcher.close();
  }
}

/**
 * Makes role `w`, allowed one connection at a time, on the server of `url`
 * (a `vc` superuser's); its URL. Holding its one connection makes the next
 * open wait as for a server with too many clients.
 */
export async function oneConnectionRole(url: string): Promise<string> {
  const admin = await openPostgresCatalog(url, { env: () => undefined });
  try {
    await admin.transaction("write", (tx) => tx.query("CREATE ROLE w LOGIN CONNECTION LIMIT 1"));
  } finally {
    await admin.close();
  }
  return url.replace("postgres://vc@", "postgres://w@");
}

/**
 * Holds a lock in a write transaction of `holder`, as another session's
 * `BEGIN; LOCK TABLE …` left open would, until the returned `release` is
 * called (which waits for that transaction to end). `take` is the statement
 * that takes it: by default `LOCK TABLE t` in ACCESS EXCLUSIVE mode. `pid`
 * is the holding session's backend pid (what a `CatalogBusyError` names).
 */
export async function holdLock(
  holder: Catalog,
  take = "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
): Promise<{ pid: number; release: () => Promise<void> }> {
  const { promise: held, resolve: release } = Promise.withResolvers<void>();
  const { promise: locked, resolve: isLocked } = Promise.withResolvers<number>();
  const holding = holder.transaction("write", async (tx) => {
    await tx.query(take);
    const [row] = await tx.query("SELECT pg_backend_pid() AS pid");
    isLocked(Number(row!.pid));
    await held;
  });
  const pid = await locked;
  return {
    pid,
    release: async () => {
      release();
      await holding;
    },
  };
}

/** One case of {@linkcode pgCases}: its name, and what it does on a fresh database's URL. */
export type PgCase = readonly [name: string, run: (url: string) => Promise<void>];

/**
 * Registers one test, `name`, whose `cases` are its steps on one PostgreSQL
 * server, each on a fresh database of its own: starting and stopping a
 * server takes longer than most cases, so a file's cases that need nothing
 * of a server but a database share one. Ignored where PostgreSQL is not
 * installed.
 */
export function pgCases(name: string, cases: readonly PgCase[]): void {
  Deno.test({
    name: `${name} (needs PostgreSQL initdb, else ignored)`,
    ignore: !havePostgres,
    fn: async (t) => {
      await using pg = await startPgServer();
      for (const [i, [step, run]] of cases.entries()) {
        // The first case takes the fresh database the server comes with.
        await t.step(
          step,
          async () => run(i === 0 ? pg.url : await pg.createDatabase(`case_${i}`)),
        );
      }
    },
  });
}

/**
 * Registers `scenario` as two tests: `names.sqlite`, on a SQLite catalog
 * (`catalog` undefined), and `names.postgres`, on a fresh PostgreSQL
 * server's URL, ignored where PostgreSQL is not installed.
 */
export function onSqliteAndPostgres(
  names: { sqlite: string; postgres: string },
  scenario: (catalog: string | undefined) => Promise<unknown>,
): void {
  Deno.test(names.sqlite, async () => {
    await scenario(undefined);
  });
  Deno.test({
    name: names.postgres,
    ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
    async fn() {
      await using pg = await startPgServer();
      await scenario(pg.url);
    },
  });
}
