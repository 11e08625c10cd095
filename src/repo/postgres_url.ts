/**
 * A PostgreSQL catalog's `postgres://` (or `postgresql://`) URL read as libpq
 * reads it: the user, password, host, port and database of the URL's parts,
 * libpq's query parameters over them, and libpq's environment variables
 * (`PGHOST`, `PGAPPNAME`, …) for what neither gives. Every parameter is either
 * given to the `postgres` driver with libpq's meaning or refused by name: a
 * parameter dropped in silence (a misspelled `sslmod=require`, an
 * `sslrootcert` nothing checks against) would connect other than asked.
 *
 * @module
 */
import { userInfo } from "node:os";
import { CatalogUnavailableError } from "./catalog.ts";
import { AccessDeniedError } from "../errors.ts";
import { closest } from "../suggest.ts";
import { MAX_TIMER_MS } from "../store/retry.ts";

/** What vc connects with, from a PostgreSQL URL and the environment. */
export interface PgConnectSettings {
  /** A host name, an IP address (IPv6 without brackets), or a Unix socket's directory. */
  host: string;
  /** Whether the URL names the host (else `PGHOST`, or libpq's default). */
  hostInUrl: boolean;
  /** The server's port (the socket's, for a Unix socket). */
  port: number;
  /** The user name. */
  user: string;
  /** The database name. */
  database: string;
  /** The URL's password (`password=`, else its user info), else `PGPASSWORD`. */
  password?: string;
  /** The password file to look in when no password is given (`passfile=`, else `PGPASSFILE`). */
  passfile?: string;
  /** Seconds the server has to answer a new connection; 0: no limit. */
  connectTimeoutS: number;
  /** Seconds idle before TCP keepalives start, `null` for none, `undefined` for the driver's default. */
  keepAlive?: number | null;
  /**
   * The authentication methods the server may ask for (libpq's
   * `require_auth`, else `PGREQUIREAUTH`); undefined: any.
   */
  requireAuth?: RequireAuth;
  /** libpq's `target_session_attrs`, other than `any`. */
  targetSessionAttrs?: TargetSessionAttrs;
  /** Run-time parameters sent at the start of each connection (`application_name`, `options`). */
  connection: Record<string, string>;
  /** The query parameters, decoded (`sslmode`, `sslrootcert`: see `postgres_tls.ts`). */
  params: ReadonlyMap<string, string>;
}

/**
 * Whether `host` names a Unix socket's directory rather than a TCP host: an
 * absolute path, as libpq and the `postgres` driver tell them apart.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isUnixSocketHost } from "./postgres_url.ts";
 * assert.equal(isUnixSocketHost("/var/run/postgresql"), true);
 * assert.equal(isUnixSocketHost("db.internal"), false);
 * ```
 */
export function isUnixSocketHost(host: string): boolean {
  return host.startsWith("/");
}

/**
 * Where libpq looks for the server's Unix socket when no host is given: its
 * build's socket directory, `/var/run/postgresql` in Debian's and Red Hat's
 * packages, `/tmp` in PostgreSQL's own. None on Windows.
 */
export const DEFAULT_SOCKET_DIRS: readonly string[] = Deno.build.os === "windows"
  ? []
  : ["/var/run/postgresql", "/tmp"];

/**
 * The host libpq connects to when none is given: the first of `dirs` that
 * holds the server's socket for `port` (libpq's default is a Unix socket),
 * else `localhost` (where libpq was built without one).
 */
function defaultHost(port: number, dirs: readonly string[]): string {
  for (const dir of dirs) {
    const path = `${dir}/.s.PGSQL.${port}`;
    try {
      // Never a permission prompt: a program not allowed to look goes to localhost.
      if (Deno.permissions.querySync({ name: "read", path }).state !== "granted") continue;
      if (Deno.statSync(path).isSocket) return dir;
    } catch {
      // no server's socket there
    }
  }
  return "localhost";
}

/**
 * libpq's default user, for a URL and environment that name none: the name
 * of the user this process runs as (vc took `postgres`, which a server's
 * peer authentication, the default on a Unix socket in Debian's packages,
 * refuses to anyone else: `postgres:///vc` failed where psql connects).
 */
function processUser(shown: string): string {
  try {
    return userInfo().username;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable)) throw e;
    throw new AccessDeniedError(
      `PostgreSQL URL ${shown} names no user, nor does PGUSER: libpq's default, the name of ` +
        "the user this process runs as, cannot be read without sys permission: name the user " +
        "(postgres://USER@…, or PGUSER), or run with --allow-sys " +
        "(or --allow-sys=uid,gid,userInfo)",
      { cause: e },
    );
  }
}

/** The default connect timeout (libpq waits forever; a catalog that never answers should fail). */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;

/** Parameters that vc gives the driver with libpq's meaning (a value outside a list is refused). */
const MAPPED = new Set([
  "host",
  "port",
  "dbname",
  "user",
  "password",
  "passfile",
  "sslmode",
  "sslrootcert",
  "sslnegotiation",
  "application_name",
  "fallback_application_name",
  "connect_timeout",
  "options",
  "target_session_attrs",
  "keepalives",
  "keepalives_idle",
  "client_encoding",
  "require_auth",
]);

/**
 * libpq parameters whose only accepted values are those that ask for what vc
 * does anyway (the driver has no GSSAPI, no channel binding, no compression,
 * and sends the host name for SNI; one host is never balanced).
 */
const AS_DONE: Record<string, string[]> = {
  gssencmode: ["disable", "prefer"],
  channel_binding: ["disable", "prefer"],
  sslcompression: ["0"],
  sslsni: ["1"],
  load_balance_hosts: ["disable"],
  replication: ["false", "off", "no", "0"],
};

/** libpq parameters the driver cannot honour: refused rather than dropped. */
const UNSUPPORTED = [
  "hostaddr",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "sslcert",
  "sslkey",
  "sslpassword",
  "sslcertmode",
  "sslcrl",
  "sslcrldir",
  "sslkeylogfile",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "min_protocol_version",
  "max_protocol_version",
  "requirepeer",
  "requiressl",
  "krbsrvname",
  "gsslib",
  "gssdelegation",
  "service",
];

const KNOWN = [...MAPPED, ...Object.keys(AS_DONE), ...UNSUPPORTED];

/**
 * libpq parameters whose value is a secret: the password, and the password
 * of the client's TLS key (refused, but the message refusing it shows the URL).
 */
const SECRET_PARAMS = ["password", "sslpassword"];

/** libpq's authentication methods, as `require_auth` names them. */
const AUTH_METHODS = ["password", "md5", "gss", "sspi", "scram-sha-256", "none"] as const;

/** An authentication method `require_auth` names. */
export type AuthMethod = typeof AUTH_METHODS[number];

/** What `require_auth` allows: the methods, and its text for messages. */
export interface RequireAuth {
  /** The methods the server may ask for. */
  allowed: ReadonlySet<AuthMethod>;
  /** The setting as given (`require_auth=scram-sha-256`). */
  named: string;
}

/**
 * Reads libpq's `require_auth` (`scram-sha-256`, `password,md5`, or a list
 * of exclusions, `!password,!md5`): undefined for any method, or a message
 * saying what is wrong with it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRequireAuth } from "./postgres_url.ts";
 * const only = parseRequireAuth("scram-sha-256", "require_auth=scram-sha-256");
 * assert(typeof only === "object" && only.allowed.has("scram-sha-256") && !only.allowed.has("password"));
 * const not = parseRequireAuth("!password,!md5", "require_auth=!password,!md5");
 * assert(typeof not === "object" && not.allowed.has("none") && !not.allowed.has("md5"));
 * assert.equal(parseRequireAuth(undefined, ""), undefined);
 * assert.match(String(parseRequireAuth("scram", "require_auth=scram")), /not an authentication method/);
 * ```
 */
export function parseRequireAuth(
  value: string | undefined,
  named: string,
): RequireAuth | string | undefined {
  if (value === undefined || value === "") return undefined;
  const items = value.split(",").map((m) => m.trim());
  const negated = items.map((m) => m.startsWith("!"));
  if (negated.some((n) => n !== negated[0])) {
    return `${named} mixes methods and exclusions (!method): give one kind`;
  }
  const names = items.map((m) => m.replace(/^!/, ""));
  const unknown = names.find((m) => !(AUTH_METHODS as readonly string[]).includes(m));
  if (unknown !== undefined) {
    return `${named}: "${unknown}" is not an authentication method (${AUTH_METHODS.join(", ")})`;
  }
  const listed = new Set(names as AuthMethod[]);
  const allowed = new Set(
    AUTH_METHODS.filter((m) => negated[0] ? !listed.has(m) : listed.has(m)),
  );
  return { allowed, named };
}

/** The sessions `target_session_attrs` may ask for, other than `any`. */
export type TargetSessionAttrs =
  | "read-write"
  | "read-only"
  | "primary"
  | "standby"
  | "prefer-standby";

const TARGET_SESSION_ATTRS = [
  "any",
  "read-write",
  "read-only",
  "primary",
  "standby",
  "prefer-standby",
];

/**
 * Reads `url` (and `env` for what it leaves out) as libpq would (with no
 * host, the first of `socketDirs` holding the port's socket), or throws
 * {@linkcode CatalogUnavailableError} naming the parameter that vc cannot
 * honour. Messages never quote a password.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePostgresUrl } from "./postgres_url.ts";
 * const env = () => undefined;
 * const s = parsePostgresUrl("postgres://vc:p%40ss@db:5433/cat?application_name=w1", env);
 * assert.deepEqual([s.host, s.port, s.user, s.password, s.database], ["db", 5433, "vc", "p@ss", "cat"]);
 * assert.equal(s.connection.application_name, "w1");
 * assert.equal(parsePostgresUrl("postgresql:///cat?host=/run/postgresql", env).host, "/run/postgresql");
 * assert.throws(() => parsePostgresUrl("postgres://db/cat?sslmod=require", env), /sslmod.*did you mean "sslmode"/);
 * assert.throws(() => parsePostgresUrl("postgres://a,b/cat", env), /several hosts/);
 * ```
 */
export function parsePostgresUrl(
  url: string,
  env: (name: string) => string | undefined,
  socketDirs: readonly string[] = DEFAULT_SOCKET_DIRS,
): PgConnectSettings {
  const shown = redactPostgresUrl(url);
  url = libpqLiterals(url);
  const fail = (why: string): never => {
    throw new CatalogUnavailableError(`invalid PostgreSQL URL ${shown}: ${why}`);
  };
  // The driver's own host list moves to the next host only while its first
  // connection fails, and its pool then spreads connections over every host.
  const severalHosts = (hosts: string): never =>
    fail(
      `several hosts (${hosts}) are not supported: vc's PostgreSQL driver does not fail over ` +
        "between them as libpq does; give one host",
    );
  // libpq's host list (`h1:5432,h2:5433`) is no URL host: named before the
  // URL parser calls it an invalid URL.
  const authority = /^[a-z]+:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(url)?.[1] ?? "";
  if (authority.includes(",")) severalHosts(authority);
  // libpq takes an empty host beside a user or a port (`postgresql://:5433/db`,
  // `postgresql://vc@/db`: the default socket); the URL parser refuses one
  // there. Parsed with a stand-in host, read back as empty.
  const noHost = /^([a-z]+:\/\/[^@/?#]*@)(?=[:/?#]|$)|^([a-z]+:\/\/)(?=:)/i.exec(url);
  const standIn = "vc-no-host.invalid";
  let parsed: URL;
  try {
    parsed = new URL(
      noHost === null ? url : `${noHost[0]}${standIn}${url.slice(noHost[0].length)}`,
    );
  } catch {
    // A port out of range (`:99999`, a typo) is what the parser refused:
    // named, as libpq names it. Only when nothing after the authority holds
    // an `@`, else the "port" may be part of a password holding a `/`.
    const port = /^(?:\[[^\]]*\]|[^:]*):(-?\d+)$/.exec(authority)?.[1];
    const rest = url.slice(url.indexOf(authority) + authority.length);
    if (port !== undefined && !rest.includes("@")) {
      return fail(`port ${port} is not a port number (1-65535)`);
    }
    // No `cause`: the URL parser's message quotes the whole URL, password
    // included, and --verbose prints causes.
    return fail(
      "expected postgres://user[:password]@host[:port]/database, with @ / : % in the password " +
        "percent-encoded (%40 %2F %3A %25)",
    );
  }
  // A `%` not followed by two hex digits (a password typed as is) makes
  // decodeURIComponent throw; name the part, never its value.
  const decode = (part: string, what: string): string => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return fail(
        `its ${what} is not valid percent-encoding (write % as %25, @ as %40, / as %2F, : as %3A)`,
      );
    }
    // As libpq refuses it: the driver sends NUL-ended strings, so a NUL would
    // cut the value there and make the rest another startup parameter.
    if (decoded.includes("\0")) {
      fail(`its ${what} contains %00 (a NUL, which no PostgreSQL string can hold)`);
    }
    return decoded;
  };
  const params = queryParams(parsed.search, decode, fail);
  for (const name of params.keys()) {
    if (KNOWN.includes(name)) continue;
    const guess = closest(name, KNOWN);
    fail(
      `unknown parameter ${JSON.stringify(name)} (not a libpq connection parameter` +
        (guess === undefined ? ")" : `; did you mean ${JSON.stringify(guess)}?)`),
    );
  }
  for (const name of UNSUPPORTED) {
    if (params.has(name)) {
      fail(`parameter ${name} is not supported by vc's PostgreSQL driver; remove it`);
    }
  }
  for (const [name, values] of Object.entries(AS_DONE)) {
    const value = params.get(name);
    if (value !== undefined && !values.includes(value.toLowerCase())) {
      fail(
        `${name}=${value} is not supported by vc's PostgreSQL driver ` +
          `(it connects as with ${name}=${values[0]})`,
      );
    }
  }

  const fromEnv = !params.get("port") && !parsed.port && !!env("PGPORT");
  const portText = params.get("port") || parsed.port || env("PGPORT") || "5432";
  if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    fail(
      `${fromEnv ? "PGPORT=" : "port "}${portText} is not a port number ` +
        "(1-65535; one port: several hosts are not supported)",
    );
  }
  // An IPv6 literal is written in brackets (`[::1]`), which are not part of
  // the address; a Unix socket's directory percent-encoded (`%2Frun%2Fpg`).
  const urlHost = params.get("host") ||
    decode(noHost === null ? parsed.hostname.replace(/^\[(.*)\]$/, "$1") : "", "host");
  const host = urlHost || env("PGHOST") || defaultHost(Number(portText), socketDirs);
  if (host.includes(",")) severalHosts(host);
  const user = params.get("user") || decode(parsed.username, "user name") || env("PGUSER") ||
    processUser(shown);
  const database = params.get("dbname") || decode(parsed.pathname.slice(1), "database name") ||
    env("PGDATABASE") || user;
  const password = params.get("password") || decode(parsed.password, "password") ||
    env("PGPASSWORD") || undefined;
  const passfile = params.get("passfile") || env("PGPASSFILE") || undefined;

  // A value the environment gave is named by its variable in an error: the
  // URL shown holds no such parameter to correct.
  const setting = (param: string, envName: string) => {
    const inUrl = params.get(param);
    const value = inUrl ?? env(envName);
    return { value, named: `${inUrl === undefined ? envName : param}=${value}` };
  };
  const timeout = setting("connect_timeout", "PGCONNECT_TIMEOUT");
  const timeoutText = timeout.value;
  let connectTimeoutS = DEFAULT_CONNECT_TIMEOUT_S;
  if (timeoutText !== undefined && timeoutText !== "") {
    if (!/^-?\d+$/.test(timeoutText.trim())) {
      fail(`${timeout.named} is not a whole number of seconds`);
    }
    // libpq: zero or less waits forever, and less than 2 s is taken as 2 s.
    // Past a timer's longest delay (~24.8 days: `connect_timeout=99999999`)
    // the driver's timer fired at once and failed every connection: held to
    // it, which waits as good as forever.
    const n = Number(timeoutText);
    connectTimeoutS = n <= 0 ? 0 : Math.min(Math.max(2, n), Math.floor(MAX_TIMER_MS / 1000));
  }

  let keepAlive: number | null | undefined;
  const keepalives = params.get("keepalives");
  if (keepalives !== undefined && keepalives !== "0" && keepalives !== "1") {
    fail(`keepalives=${keepalives} is not 0 or 1`);
  }
  const idle = params.get("keepalives_idle");
  if (idle !== undefined && !/^\d+$/.test(idle)) {
    fail(`keepalives_idle=${idle} is not a whole number of seconds`);
  }
  if (keepalives === "0") keepAlive = null;
  else if (idle !== undefined && Number(idle) > 0) keepAlive = Number(idle);

  const encodingSetting = setting("client_encoding", "PGCLIENTENCODING");
  const encoding = encodingSetting.value;
  if (encoding !== undefined && encoding !== "" && !/^(utf-?8|unicode)$/i.test(encoding)) {
    fail(`${encodingSetting.named} is not supported: vc's PostgreSQL driver speaks UTF8 only`);
  }

  const tsaSetting = setting("target_session_attrs", "PGTARGETSESSIONATTRS");
  const tsa = tsaSetting.value;
  if (tsa !== undefined && tsa !== "" && !TARGET_SESSION_ATTRS.includes(tsa)) {
    fail(`${tsaSetting.named} is not one of ${TARGET_SESSION_ATTRS.join(", ")}`);
  }

  const requireAuthSetting = setting("require_auth", "PGREQUIREAUTH");
  const readAuth = parseRequireAuth(requireAuthSetting.value, requireAuthSetting.named);
  const requireAuth = typeof readAuth === "string" ? fail(readAuth) : readAuth;

  const connection: Record<string, string> = {
    application_name: params.get("application_name") ?? env("PGAPPNAME") ??
      params.get("fallback_application_name") ?? "vc-repo",
  };
  const options = params.get("options") ?? env("PGOPTIONS");
  if (options) connection.options = options;

  return {
    host,
    hostInUrl: urlHost !== "",
    port: Number(portText),
    user,
    database,
    ...(password === undefined ? {} : { password }),
    ...(passfile === undefined ? {} : { passfile }),
    connectTimeoutS,
    ...(keepAlive === undefined ? {} : { keepAlive }),
    ...(tsa && tsa !== "any" ? { targetSessionAttrs: tsa as TargetSessionAttrs } : {}),
    ...(requireAuth === undefined ? {} : { requireAuth }),
    connection,
    params,
  };
}

/**
 * The query's parameters, decoded as libpq decodes them: `%XX` only (a `+`
 * stays a `+`), each `name=value`, a later one over an earlier one.
 */
function queryParams(
  search: string,
  decode: (part: string, what: string) => string,
  fail: (why: string) => never,
): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of search.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq === -1) {
      fail(`its query part ${JSON.stringify(pair)} is not name=value`);
    }
    const name = decode(pair.slice(0, eq), "query");
    params.set(name, decode(pair.slice(eq + 1), `${name} parameter`));
  }
  return params;
}

/**
 * Removes the password from a `postgres://` URL, for recording and messages:
 * the one in the user info, and a `password=` or `sslpassword=` query
 * parameter (libpq's spellings) with its value. A parameter that is not libpq's goes too, value
 * and all: a misspelt `pasword=` holds a password as well (the message that
 * refuses it names it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactPostgresUrl } from "./postgres_url.ts";
 * assert.equal(redactPostgresUrl("postgres://u:secret@h:5432/db"), "postgres://u@h:5432/db");
 * assert.equal(
 *   redactPostgresUrl("postgres://u@h/db?password=secret&sslmode=require&pasword=secret"),
 *   "postgres://u@h/db?sslmode=require",
 * );
 * ```
 */
export function redactPostgresUrl(url: string): string {
  const query = (search: string): string => {
    const kept = search.slice(1).split("&").filter((pair) => !mayHoldPassword(pair));
    return kept.length === 0 ? "" : `?${kept.join("&")}`;
  };
  url = libpqLiterals(url);
  try {
    const u = new URL(url);
    u.password = "";
    if (u.search !== "") u.search = query(u.search);
    return u.href;
  } catch {
    // Unparsable: drop everything from the user's colon to the last `@`, so
    // a password holding `/` or `@` is dropped whole; and the query's
    // parameters as above.
    // The user is taken up to its first `:`, as it may hold an `@` or a
    // `/` typed as is (`vc@srv:pa/ss@db`).
    return url.replace(/:\/\/([^:]*):.*@/, "://$1@")
      .replace(/\?[^#]*/, (search) => query(search));
  }
}

/**
 * How `url` names another catalog than the repository's `marker` URL, both
 * read as libpq on this machine reads them (`env`): the first of host, port,
 * user, database and `options` (its search_path picks the schema) that
 * differs, as `user "ann", not "vc"`; `undefined` when they name the same
 * catalog, however spelt (`postgresql://`, a default port written out or
 * left out, `?dbname=` for the path, percent-encoding) and whatever this
 * machine's way to connect (the password, sslmode, sslrootcert, timeouts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogDifference } from "./postgres_url.ts";
 * const env = () => undefined;
 * const marker = "postgres://vc@db/vc?sslmode=verify-full";
 * assert.equal(catalogDifference("postgresql://vc:pw@db:5432/?dbname=vc&sslmode=require", marker, env), undefined);
 * assert.equal(catalogDifference("postgres://ann@db/vc", marker, env), 'user "ann", not "vc"');
 * ```
 */
export function catalogDifference(
  url: string,
  marker: string,
  env: (name: string) => string | undefined,
): string | undefined {
  const [given, named] = [parsePostgresUrl(url, env), parsePostgresUrl(marker, env)];
  // Host names are not case-sensitive; socket directories are paths.
  const host = (s: PgConnectSettings) => isUnixSocketHost(s.host) ? s.host : s.host.toLowerCase();
  const parts: [string, string | number, string | number][] = [
    ["host", host(given), host(named)],
    ["port", given.port, named.port],
    ["user", given.user, named.user],
    ["database", given.database, named.database],
    ["options", given.connection.options ?? "", named.connection.options ?? ""],
  ];
  for (const [part, a, b] of parts) {
    if (a !== b) return `${part} ${JSON.stringify(a)}, not ${JSON.stringify(b)}`;
  }
  return undefined;
}

/**
 * The URL with the characters libpq reads as themselves where the URL
 * parser would not percent-encoded: each `#` (in a password,
 * `postgres://vc:se#cret@db/vc`, or `?password=se#cret`), where the URL
 * parser would take the rest for a fragment, cut the password there and keep
 * its rest, shown in messages and the marker; and a `?` in the password
 * (`postgres://vc:a?b@db/vc`), which libpq's user info holds up to its first
 * `@` (before any `/`), where the URL parser took the rest for the query: the
 * URL was refused, or a password `12?x=1` read as the port 12 of a host `vc`
 * with a parameter `x`, both named in the error.
 */
function libpqLiterals(url: string): string {
  url = url.replaceAll("#", "%23");
  const password = /^([a-z][a-z0-9+.-]*:\/\/[^@/:]*:)([^@/]*)@/i.exec(url);
  if (password === null || !password[2]!.includes("?")) return url;
  const start = password[1]!.length;
  return url.slice(0, start) + password[2]!.replaceAll("?", "%3F") +
    url.slice(start + password[2]!.length);
}

/**
 * Whether a query pair (`name=value`, still percent-encoded) may hold a
 * password: libpq's `password` or `sslpassword`, or a name that is no libpq parameter.
 */
function mayHoldPassword(pair: string): boolean {
  const eq = pair.indexOf("=");
  const name = eq === -1 ? pair : pair.slice(0, eq);
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return true;
  }
  return SECRET_PARAMS.includes(decoded) || !KNOWN.includes(decoded);
}
