/**
 * Secrets typed as command-line arguments. A process's arguments are
 * readable by every local user while it runs (`ps -ef`,
 * `/proc/PID/cmdline`), so `--token T` or a `--catalog` URL with a password
 * hands the secret to anyone on the machine. Both still work (a CI job's own
 * container has no other users), with a warning naming the variable that
 * keeps the secret out of the process list. The secret itself is never
 * echoed.
 *
 * @module
 */
import type { CommandContext } from "./command.ts";

const READABLE = "can be read by every user of this machine while vc runs (ps, /proc/PID/cmdline)";

/**
 * Warns when `--token` was given on the command line (`vc cache-client`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenArgumentWarning } from "./argument_secrets.ts";
 * assert(tokenArgumentWarning().includes("VC_CACHE_TOKEN"));
 * ```
 */
export function tokenArgumentWarning(): string {
  return `the --token value ${READABLE}; set VC_CACHE_TOKEN instead`;
}

/**
 * Warns when a `--catalog` PostgreSQL URL holds a password; `undefined`
 * for one without (or no PostgreSQL URL: it is refused elsewhere).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogArgumentWarning } from "./argument_secrets.ts";
 * assert(catalogArgumentWarning("postgres://vc:pw@db/vc")?.includes("PGPASSWORD"));
 * assert.equal(catalogArgumentWarning("postgres://vc@db/vc"), undefined);
 * assert.equal(catalogArgumentWarning("sqlite:/srv/c.sqlite"), undefined);
 * ```
 */
export function catalogArgumentWarning(catalog: string): string | undefined {
  if (!/^postgres(ql)?:\/\//i.test(catalog)) return undefined;
  let password: string;
  try {
    password = new URL(catalog).password;
  } catch {
    return undefined; // malformed: the catalog's own error says how
  }
  if (password === "") return undefined;
  return `the password in --catalog ${READABLE}; leave it out of the URL and set PGPASSWORD, ` +
    "or keep it in ~/.pgpass (mode 0600)";
}

/**
 * Prints the warnings for the secrets among `ctx`'s flags (`--token`,
 * `--catalog`): once, as the command reads its flags.
 */
export function warnOfArgumentSecrets(ctx: Pick<CommandContext, "flags" | "out">): void {
  const token = ctx.flags.string("token");
  if (token !== undefined && token !== "") ctx.out.warn(tokenArgumentWarning());
  const catalog = ctx.flags.string("catalog");
  const warning = catalog === undefined ? undefined : catalogArgumentWarning(catalog);
  if (warning !== undefined) ctx.out.warn(warning);
}
