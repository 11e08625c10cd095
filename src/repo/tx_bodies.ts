/**
 * Which catalog's transaction bodies this async context runs in: a
 * transaction begun inside a body of the same catalog waits for what that
 * body holds (a SQLite connection's one turn, a PostgreSQL pool's
 * connections or the rows it locked) while the body waits for it. Such a
 * call is refused at once (see {@linkcode refuseInsideBody}), on either
 * catalog alike.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { callCallbacksOutside } from "../callback.ts";
import { CatalogBusyError } from "./catalog.ts";

/**
 * A transaction body running in this async context (the innermost, then
 * those it runs in): its catalog, and whether it is still running (a timer
 * set in a body runs in its context after it ended).
 */
interface BodyFrame {
  readonly catalog: object;
  /** What the catalog tells of the body's session (a PostgreSQL backend's pid). */
  readonly session: unknown;
  open: boolean;
  readonly outer: BodyFrame | undefined;
}

const bodies = new AsyncLocalStorage<BodyFrame>();

// A caller's callback vc does not wait for (a gc's or backup's onProgress,
// called inside its transaction) runs outside the body: a `repo.list()` it
// starts takes its turn after the transaction, and is no nested one.
// Outside every body (most calls), as it is: no context to leave.
callCallbacksOutside((call) => bodies.getStore() === undefined ? call() : bodies.exit(call));

/**
 * Runs the transaction body `fn` marked as `catalog`'s until it settles;
 * `session` is what {@linkcode enclosingBodies} tells of it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inBodyOf, runAsBody } from "./tx_bodies.ts";
 * const catalog = {};
 * assert.equal(await runAsBody(catalog, () => Promise.resolve(inBodyOf(catalog))), true);
 * assert.equal(inBodyOf(catalog), false);
 * ```
 */
export async function runAsBody<T>(
  catalog: object,
  fn: () => Promise<T>,
  session?: unknown,
): Promise<T> {
  const frame: BodyFrame = { catalog, session, open: true, outer: bodies.getStore() };
  try {
    return await bodies.run(frame, fn);
  } finally {
    frame.open = false;
  }
}

/**
 * Whether this async context is inside a running transaction body of `catalog`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inBodyOf, runAsBody } from "./tx_bodies.ts";
 * const [one, two] = [{}, {}];
 * assert.equal(await runAsBody(one, () => Promise.resolve(inBodyOf(two))), false);
 * ```
 */
export function inBodyOf(catalog: object): boolean {
  for (let frame = bodies.getStore(); frame !== undefined; frame = frame.outer) {
    if (frame.open && frame.catalog === catalog) return true;
  }
  return false;
}

/**
 * The running transaction bodies this async context is inside, innermost
 * first: each one's catalog and session (see {@linkcode runAsBody}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { enclosingBodies, runAsBody } from "./tx_bodies.ts";
 * const [one, two] = [{}, {}];
 * const seen = await runAsBody(one, () => runAsBody(two, async () => enclosingBodies()), 7);
 * assert.deepEqual(seen, [{ catalog: two, session: undefined }, { catalog: one, session: 7 }]);
 * assert.deepEqual(enclosingBodies(), []);
 * ```
 */
export function enclosingBodies(): { catalog: object; session: unknown }[] {
  const found: { catalog: object; session: unknown }[] = [];
  for (let frame = bodies.getStore(); frame !== undefined; frame = frame.outer) {
    if (frame.open) found.push({ catalog: frame.catalog, session: frame.session });
  }
  return found;
}

/**
 * Throws a {@linkcode CatalogBusyError} when this async context is inside
 * a running transaction body of `catalog` (at `location`), saying `why` the
 * new transaction would wait for that body, which waits for it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseInsideBody, runAsBody } from "./tx_bodies.ts";
 * const catalog = {};
 * refuseInsideBody(catalog, "sqlite:/c", "its turn comes after that transaction");
 * await assert.rejects(
 *   runAsBody(catalog, async () => refuseInsideBody(catalog, "sqlite:/c", "its turn comes after it")),
 *   /its `tx`/,
 * );
 * ```
 */
export function refuseInsideBody(catalog: object, location: string, why: string): void {
  if (!inBodyOf(catalog)) return;
  throw new CatalogBusyError(
    `catalog ${location}: a transaction was begun inside a transaction body of the same ` +
      `catalog, ${why}: it would wait for that transaction, which waits for it, for ever; ` +
      "run its statements through that transaction's own connection (its `tx`) instead " +
      "(a call started in the body to be awaited after it: start it after the body)",
  );
}

/**
 * Throws when a statement is run through the `tx` of a transaction of the
 * catalog at `location` that `ended`: a `tx` kept past its body (in a
 * variable, a timer's closure) would run it outside that transaction, on a
 * connection another transaction may hold by then (SQLite's one connection,
 * or a PostgreSQL connection given back to the pool), so it is refused, and
 * nothing is run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refuseEndedTx } from "./tx_bodies.ts";
 * refuseEndedTx(false, "sqlite:/c");
 * assert.throws(() => refuseEndedTx(true, "sqlite:/c"), /after its transaction ended/);
 * ```
 */
export function refuseEndedTx(ended: boolean, location: string): void {
  if (!ended) return;
  throw new Error(
    `catalog ${location}: a statement was run through a transaction's \`tx\` after its ` +
      "transaction ended (committed or rolled back), so it was not run: run a transaction's " +
      "statements only while its body runs, and await each before the body returns",
  );
}
