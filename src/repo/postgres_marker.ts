/**
 * What a PostgreSQL URL that only the store's marker (`.vc-repo.json`) names
 * may set. Anyone who may write to the store can rewrite the marker, so its
 * URL names the catalog (host, port, database, user) and may tune what
 * only concerns the connection (`connect_timeout`, keepalives,
 * `application_name`, `target_session_attrs`) and ask for more TLS than this
 * machine does, but it may not weaken what this machine asks for nor change
 * what vc's queries run against:
 *
 * - `sslmode` weaker than this machine's `PGSSLMODE` (or the driver's `PGSSL`);
 * - `sslrootcert` other than this machine's `PGSSLROOTCERT` (or `system`,
 *   which asks for verify-full against the system's CAs, when it sets none);
 * - a Unix socket (which carries no TLS) where this machine's `PGSSLMODE`
 *   requires TLS, unless `PGHOST` names it;
 * - `options` (server settings: a search_path can put another's tables and
 *   functions before vc's) other than this machine's `PGOPTIONS`.
 *
 * Its `password`, `passfile` and `require_auth` are not read at all
 * (`postgres_catalog.ts`); `sslcert`, `sslkey` and the like are refused in
 * any URL (`postgres_url.ts`).
 *
 * @module
 */
import { CatalogUnavailableError } from "./catalog.ts";
import { isUnixSocketHost, type PgConnectSettings, redactPostgresUrl } from "./postgres_url.ts";
import { MODES, pgsslMode } from "./postgres_tls.ts";

/**
 * Throws {@linkcode CatalogUnavailableError} when `url`, named only by
 * `namedOnlyBy` (the marker's location), sets a connection parameter that
 * must come from this machine (`env`), naming the marker, the parameter and
 * what to set instead. Called before any connection.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMarkerSettings } from "./postgres_marker.ts";
 * import { parsePostgresUrl } from "./postgres_url.ts";
 * const env = (n: string) => n === "PGSSLMODE" ? "verify-full" : undefined;
 * const url = "postgres://vc@db/vc?sslmode=disable";
 * assert.throws(
 *   () => checkMarkerSettings(url, parsePostgresUrl(url, env), env, "s3://b/r/.vc-repo.json"),
 *   /sslmode=disable is weaker than this machine's PGSSLMODE=verify-full/,
 * );
 * const strong = "postgres://vc@db/vc?sslmode=verify-full";
 * checkMarkerSettings(strong, parsePostgresUrl(strong, env), env, "s3://b/r/.vc-repo.json");
 * ```
 */
export function checkMarkerSettings(
  url: string,
  settings: PgConnectSettings,
  env: (name: string) => string | undefined,
  namedOnlyBy: string,
  movingFrom = false,
): void {
  const shown = redactPostgresUrl(url);
  const refuse = (why: string, instead = ""): never => {
    throw new CatalogUnavailableError(
      `PostgreSQL catalog ${shown} is named only by ${namedOnlyBy}, which anyone who may write ` +
        `to the store can change, and its ${why} (nothing was sent); if the catalog and this ` +
        `setting are yours, ${instead}name the catalog on this machine: ` +
        `${nameHere(shown, movingFrom)} (the postgresUrl option in code)`,
    );
  };
  const { params } = settings;

  // TLS: the marker may ask for more than this machine, never less.
  const machineMode = env("PGSSLMODE") || undefined;
  const machine = machineMode !== undefined
    ? { mode: machineMode, named: `PGSSLMODE=${machineMode}` }
    : { mode: pgsslMode(env("PGSSL")), named: `PGSSL=${env("PGSSL")}` };
  const rank = (mode: string | undefined) => mode === undefined ? 0 : MODES.indexOf(mode);
  const markerMode = params.get("sslmode");
  // (A mode that is none of libpq's is named by postgresTls.)
  if (
    markerMode !== undefined && MODES.includes(markerMode) && machine.mode !== undefined &&
    MODES.includes(machine.mode) && rank(markerMode) < rank(machine.mode)
  ) {
    refuse(`sslmode=${markerMode} is weaker than this machine's ${machine.named}`);
  }
  const markerRoot = params.get("sslrootcert") || undefined;
  const machineRoot = env("PGSSLROOTCERT") || undefined;
  // A file of this machine to trust (in place of the system's CAs or
  // PGSSLROOTCERT), or to read at all (a FIFO, /dev/zero): this machine's
  // choice. `system` (the system's CAs, verify-full) only asks for more.
  if (markerRoot !== undefined && markerRoot !== (machineRoot ?? "system")) {
    refuse(
      `sslrootcert=${markerRoot} ` +
        (machineRoot === undefined
          ? "names a file of this machine to trust, which PGSSLROOTCERT does not"
          : `is not this machine's PGSSLROOTCERT=${machineRoot}`),
      machineRoot === undefined ? `set PGSSLROOTCERT=${markerRoot}, or ` : "",
    );
  }
  const host = settings.host;
  if (
    settings.hostInUrl && isUnixSocketHost(host) && host !== env("PGHOST") &&
    machine.mode !== undefined && rank(machine.mode) >= rank("require")
  ) {
    refuse(
      `host=${host} is a Unix socket, which carries no TLS, where this machine's ` +
        `${machine.named} requires TLS`,
      `set PGHOST=${host}, or `,
    );
  }

  // Server settings (search_path, role, …) decide what vc's queries run against.
  const markerOptions = params.get("options");
  const machineOptions = env("PGOPTIONS") ?? "";
  if (markerOptions !== undefined && markerOptions !== machineOptions) {
    refuse(
      `options=${markerOptions} (server settings, such as the search_path that picks the ` +
        `tables and functions vc's queries use) ` +
        (machineOptions === ""
          ? "are not given on this machine"
          : `are not this machine's PGOPTIONS=${machineOptions}`),
      `set PGOPTIONS='${markerOptions}', or `,
    );
  }
}

/**
 * How to name the catalog `shown` on this machine: `--catalog` or
 * `VC_REPO_CATALOG`, but only the latter for the catalog a move
 * (`vc repo restore SNAPSHOT --catalog NEW`) leaves, where `--catalog` names
 * the catalog moved to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nameHere } from "./postgres_marker.ts";
 * assert.equal(nameHere("postgres://db/vc", false), "--catalog postgres://db/vc or VC_REPO_CATALOG=postgres://db/vc");
 * assert.match(nameHere("postgres://db/vc", true), /^VC_REPO_CATALOG=postgres:\/\/db\/vc \(/);
 * ```
 */
export function nameHere(shown: string, movingFrom: boolean): string {
  return movingFrom
    ? `VC_REPO_CATALOG=${shown} (with --catalog naming the catalog moved to)`
    : `--catalog ${shown} or VC_REPO_CATALOG=${shown}`;
}
