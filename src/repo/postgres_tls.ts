/**
 * Which TLS a PostgreSQL catalog's connection uses, from libpq's `sslmode`
 * and `sslrootcert` (the URL's query parameters, else `PGSSLMODE` and
 * `PGSSLROOTCERT`, else the `postgres` driver's `PGSSL`). vc negotiates TLS
 * itself (`postgres_tls_socket.ts`) and turns the driver's own off.
 *
 * @module
 */
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { CatalogUnavailableError } from "./catalog.ts";
import { isUnixSocketHost } from "./postgres_url.ts";

/**
 * What a connection negotiates: `false` (plain text), `"prefer"` (TLS when
 * the server offers it), `"require"` (TLS, no certificate check), or the TLS
 * options that check the server's certificate.
 */
export type PgTls =
  | false
  | "prefer"
  | "require"
  | {
    rejectUnauthorized: true;
    ca?: string;
    checkServerIdentity: (name: string, cert: PeerCertificate) => Error | undefined;
  };

/** libpq's sslmode values, weakest first. */
export const MODES: readonly string[] = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
];

/**
 * The TLS that the URL's `sslmode` (else `PGSSLMODE`, else the driver's
 * `PGSSL`: see {@linkcode pgsslMode}) asks for; with none, plain text.
 * `allow` is taken as `prefer` (neither promises TLS; vc has no
 * plain-text-first mode), and `verify-ca` checks the certificate's
 * chain but not its name. `sslrootcert` (`PGSSLROOTCERT`) names the CA file
 * the certificate is checked against (`system`, or none: the system's CAs).
 * `verify-full` checks the certificate's name against `host` (the host
 * connected to, IP address or name). A value libpq would not take is refused, never
 * ignored; so is an `sslrootcert` in the URL that its sslmode would not check
 * against, except `require`, which then checks as `verify-ca` (libpq's rule
 * for a root certificate with `require`); `sslrootcert=system` means
 * `verify-full` and refuses any other mode (libpq 16's rule). `sslnegotiation=direct` (TLS from the
 * first byte, PostgreSQL 17) needs a mode that never connects in plain text.
 * Over a Unix socket (`host` a directory) there is no TLS whatever the mode,
 * as libpq ignores sslmode there (PostgreSQL offers no TLS on its sockets):
 * the parameters are still checked, but no root certificate is read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postgresTls } from "./postgres_tls.ts";
 * const env = () => undefined;
 * const q = (s: string) => new Map(new URLSearchParams(s));
 * assert.equal(await postgresTls(q("sslmode=require"), "h", env), "require");
 * assert.equal(await postgresTls(q("sslmode=verify-full"), "/run/postgresql", env), false);
 * assert.equal(await postgresTls(q(""), "h", (n) => n === "PGSSLMODE" ? "disable" : undefined), false);
 * assert.equal(await postgresTls(q(""), "h", env), false);
 * assert.equal(await postgresTls(q(""), "h", (n) => n === "PGSSL" ? "require" : undefined), "require");
 * await assert.rejects(() => postgresTls(q("sslmode=on"), "h", env), /sslmode=on/);
 * await assert.rejects(() => postgresTls(q("sslrootcert=/ca.pem"), "h", env), /sslrootcert/);
 * ```
 */
export async function postgresTls(
  params: ReadonlyMap<string, string>,
  host: string,
  env: (name: string) => string | undefined,
): Promise<PgTls> {
  const given = params.get("sslmode") ?? (env("PGSSLMODE") || undefined) ??
    pgsslMode(env("PGSSL"));
  if (given !== undefined && !MODES.includes(given)) {
    // Named by where it came from: a URL without sslmode has none to correct.
    const name = params.has("sslmode") ? "sslmode" : "PGSSLMODE";
    throw new CatalogUnavailableError(
      `invalid ${name}=${JSON.stringify(given).slice(1, -1)} for PostgreSQL catalog: ` +
        `expected one of ${MODES.join(", ")}`,
    );
  }
  const urlRootCert = params.get("sslrootcert") || undefined;
  const rootCert = urlRootCert ?? (env("PGSSLROOTCERT") || undefined);
  let mode = given;
  if (rootCert === "system") {
    // libpq 16: the system's CAs are checked with the host name or not at all.
    if (mode === undefined) mode = "verify-full";
    if (mode !== "verify-full") {
      throw new CatalogUnavailableError(
        `sslmode=${mode} may not be used with sslrootcert=system for PostgreSQL catalog ` +
          "(use verify-full)",
      );
    }
  } else if (rootCert !== undefined && mode === "require") {
    mode = "verify-ca";
  }
  if (urlRootCert !== undefined && !mode?.startsWith("v")) {
    throw new CatalogUnavailableError(
      `sslrootcert is given but sslmode=${mode ?? "(none)"} checks no certificate ` +
        "for PostgreSQL catalog: give sslmode=verify-full (or verify-ca), or no sslrootcert",
    );
  }
  const negotiation = params.get("sslnegotiation") || "postgres";
  if (negotiation !== "postgres" && negotiation !== "direct") {
    throw new CatalogUnavailableError(
      `invalid sslnegotiation=${negotiation} for PostgreSQL catalog: expected postgres or direct`,
    );
  }
  if (negotiation === "direct" && mode !== "require" && !mode?.startsWith("v")) {
    throw new CatalogUnavailableError(
      `sslnegotiation=direct needs sslmode=require, verify-ca or verify-full for ` +
        `PostgreSQL catalog (sslmode is ${mode ?? "not set"})`,
    );
  }
  // libpq sends no SSLRequest on a Unix socket, and the server would answer
  // N there even with ssl=on: a mode that requires TLS would never connect.
  if (mode === undefined || mode === "disable" || isUnixSocketHost(host)) return false;
  if (mode === "allow" || mode === "prefer") return "prefer";
  if (mode === "require") return "require";
  let ca: string | undefined;
  if (rootCert !== undefined && rootCert !== "system") {
    try {
      ca = await Deno.readTextFile(rootCert);
    } catch (cause) {
      throw new CatalogUnavailableError(
        `cannot read the PostgreSQL catalog's ${
          urlRootCert === undefined ? "PGSSLROOTCERT" : "sslrootcert"
        } ${rootCert}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  return {
    rejectUnauthorized: true,
    ...(ca === undefined ? {} : { ca }),
    // verify-ca: the chain is checked, the name is not.
    checkServerIdentity: mode === "verify-ca"
      ? () => undefined
      : (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert),
  };
}

/**
 * The sslmode that the `postgres` driver's `PGSSL` stood for when the driver
 * negotiated TLS: none for unset, empty, `disable` or `false` (plain text);
 * a libpq mode's name as that mode; any other value (`true`, `1`) as the
 * driver took it, TLS with the certificate and its name checked
 * (`verify-full`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pgsslMode } from "./postgres_tls.ts";
 * assert.equal(pgsslMode(undefined), undefined);
 * assert.equal(pgsslMode("false"), undefined);
 * assert.equal(pgsslMode("require"), "require");
 * assert.equal(pgsslMode("true"), "verify-full");
 * ```
 */
export function pgsslMode(value: string | undefined): string | undefined {
  if (value === undefined || value === "" || value === "false") return undefined;
  return MODES.includes(value) ? value : "verify-full";
}
