/**
 * Who may hold a PostgreSQL catalog's lock, for a `CatalogBusyError`: the
 * longest-open transactions of other sessions holding a lock of the kinds a
 * catalog waits on (an advisory lock, a lock on a table of the schemas its
 * search_path names), with their pid, client and state; not any old
 * transaction on the database (an analyst's `BEGIN` left open, a report's
 * long read of another table), which the `pg_terminate_backend` named
 * would end in vain. A machine frozen or cut off mid-write leaves its
 * transaction open on the server (a `kill -9` closes the connection; a
 * frozen VM or a lost network does not, for the server's TCP keepalive, two
 * hours by default), and every vc of the team then waits on it: named, the
 * session can be found and, its machine gone, ended.
 *
 * @module
 */
import type { Row } from "./catalog.ts";

// The transactions named, oldest first.
const SHOWN = 3;

/**
 * A clause naming the oldest transactions other sessions hold open on the
 * database `query` reaches, of those holding an advisory lock or a lock on a
 * table of the search_path's schemas (`pid 4242 (vc@10.0.0.7, application vc, idle in
 * transaction, transaction open 312 s)`), or undefined when there is none or the server
 * does not say (`pg_stat_activity` hides other roles' sessions' details
 * from a role without `pg_read_all_stats`: the pid alone is still named).
 * Those `isOwn` tells are this process's are said to be, and never named to
 * be ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lockHoldersNote } from "./postgres_lock_holders.ts";
 * const note = await lockHoldersNote(async () => [
 *   { pid: 42, usename: "vc", addr: "10.0.0.7", application_name: "", state: "idle in transaction", secs: 312 },
 * ]);
 * assert.match(note!, /pid 42 \(vc@10\.0\.0\.7, idle in transaction, transaction open 312 s\)/);
 * assert.match(note!, /pg_terminate_backend\(42\)/);
 * assert.equal(await lockHoldersNote(async () => []), undefined);
 * // A session of this process's own is said to be, and not to be ended.
 * const own = await lockHoldersNote(async () => [{ pid: 7, secs: 1 }], (pid) => pid === 7);
 * assert.match(own!, /pid 7 \(a transaction of this process, transaction open 1 s\)$/);
 * ```
 */
export async function lockHoldersNote(
  query: (text: string) => Promise<Row[]>,
  isOwn: (pid: number) => boolean = () => false,
): Promise<string | undefined> {
  const rows = await query(
    "SELECT pid, usename, host(client_addr) AS addr, application_name, state, " +
      "FLOOR(EXTRACT(EPOCH FROM (now() - xact_start)))::bigint AS secs " +
      "FROM pg_stat_activity WHERE datname = current_database() " +
      "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL " +
      // Holding a lock of the kinds the catalog's transactions wait on.
      "AND pid IN (SELECT l.pid FROM pg_locks l WHERE l.granted " +
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) " +
      "AND (l.locktype = 'advisory' OR l.relation IN (SELECT c.oid FROM pg_class c " +
      "JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE n.nspname = ANY (current_schemas(false))))) " +
      `ORDER BY xact_start LIMIT ${SHOWN}`,
  );
  if (rows.length === 0) return undefined;
  const sessions = rows.map((r) => {
    const who = [
      isOwn(Number(r.pid)) ? "a transaction of this process" : "",
      r.usename ? `${String(r.usename)}@${r.addr ? String(r.addr) : "local socket"}` : "",
      r.application_name ? `application ${String(r.application_name)}` : "",
      r.state ? String(r.state) : "",
      `transaction open ${Number(r.secs)} s`,
    ].filter((x) => x !== "");
    return `pid ${Number(r.pid)} (${who.join(", ")})`;
  });
  // Never this process's own: ending it ends the transaction waited in.
  const other = rows.find((r) => !isOwn(Number(r.pid)));
  return `the longest-open transactions holding locks on it, one of which likely holds the one ` +
    `waited for: ${sessions.join("; ")}` +
    (other === undefined
      ? ""
      : "; one whose machine is gone (frozen, cut off) keeps it until the server notices: " +
        `SELECT pg_terminate_backend(${Number(other.pid)}) ends it`);
}
