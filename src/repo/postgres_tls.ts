/**
 * Which TLS a PostgreSQL catalog's connection uses, from libpq's `sslmode`
 * and `sslrootcert` (the URL's query parameters, else `PGSSLMODE` and
 * `PGSSLROOTCERT`), as the `ssl` option of the `postgres` driver. vc gives
 * the driver the URL's parts, not the URL, so without this the driver never
 * sees `sslmode`: `?sslmode=require` connected in plain text.
 *
 * @module
 */
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { CatalogUnavailableError } from "./catalog.ts";

/**
 * The driver's `ssl` option: `false` (plain text), `"prefer"` (TLS when the
 * server offers it), `"require"` (TLS, no certificate check), or the TLS
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

/** libpq's sslmode values. */
const MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

/**
 * The TLS that `url`'s `sslmode` (else `PGSSLMODE`) asks for, or `undefined`
 * when neither names one (the driver's own default then applies: `PGSSL`, else
 * plain text). `allow` is taken as `prefer` (neither promises TLS; the driver
 * has no plain-text-first mode), and `verify-ca` checks the certificate's
 * chain but not its name. `sslrootcert` (`PGSSLROOTCERT`) names the CA file
 * the certificate is checked against (`system`, or none: the system's CAs).
 * `verify-full` checks the certificate's name against `host` (the host
 * connected to: the driver gives TLS no name for an IP address, which Node
 * then checks as `localhost`). A value libpq would not take is refused, never
 * ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { postgresTls } from "./postgres_tls.ts";
 * const env = () => undefined;
 * assert.equal(await postgresTls(new URL("postgres://h/db?sslmode=require"), "h", env), "require");
 * assert.equal(await postgresTls(new URL("postgres://h/db"), "h", (n) => n === "PGSSLMODE" ? "disable" : undefined), false);
 * assert.equal(await postgresTls(new URL("postgres://h/db"), "h", env), undefined);
 * await assert.rejects(() => postgresTls(new URL("postgres://h/db?sslmode=on"), "h", env), /sslmode=on/);
 * ```
 */
export async function postgresTls(
  url: URL,
  host: string,
  env: (name: string) => string | undefined,
): Promise<PgTls | undefined> {
  const mode = url.searchParams.get("sslmode") ?? (env("PGSSLMODE") || undefined);
  if (mode === undefined) return undefined;
  if (!MODES.includes(mode)) {
    throw new CatalogUnavailableError(
      `invalid sslmode=${JSON.stringify(mode).slice(1, -1)} for PostgreSQL catalog: ` +
        `expected one of ${MODES.join(", ")}`,
    );
  }
  if (mode === "disable") return false;
  if (mode === "allow" || mode === "prefer") return "prefer";
  if (mode === "require") return "require";
  const rootCert = url.searchParams.get("sslrootcert") ?? (env("PGSSLROOTCERT") || undefined);
  let ca: string | undefined;
  if (rootCert !== undefined && rootCert !== "system") {
    try {
      ca = await Deno.readTextFile(rootCert);
    } catch (cause) {
      throw new CatalogUnavailableError(
        `cannot read the PostgreSQL catalog's sslrootcert ${rootCert}: ${(cause as Error).message}`,
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
