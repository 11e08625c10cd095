/**
 * The one check of a store a caller brings (an object given where an
 * `ObjectStore` is taken, or what a caller's `openStore` returns): a plain
 * JavaScript caller, or one that cast an adapter `as ObjectStore`, gets no
 * help from the type checker, and a store lacking `put` failed deep inside
 * (mid-download, mid-mirror, in a server's request) as a bare
 * `TypeError: store.put is not a function`, or worse, as a mirror's every
 * file "failed" with the run reported done.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";
import { describeValue } from "../options_check.ts";
import type { ObjectStore } from "./types.ts";

/** The methods every `ObjectStore` has (the optional ones are checked only when present). */
const REQUIRED = ["head", "get", "put", "list", "delete", "copy", "close"] as const;
const OPTIONAL = [
  "listPages",
  "validator",
  "partSize",
  "pendingUploads",
  "abortUpload",
  "lastPartAt",
  "keyVersions",
  "deleteVersion",
] as const;
const CONTRACT = `an ObjectStore has url, ${REQUIRED.map((m) => `${m}()`).join(", ")}`;

/**
 * Returns `store` when it has what an `ObjectStore` has (a string `url` and
 * every required method; each optional method present is a function), else
 * throws `InvalidInputError` naming `what` (e.g. "mirror(): target") and
 * every member missing or of the wrong kind.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireStore } from "./store_check.ts";
 * import { MemoryStore } from "./memory.ts";
 * await using store = new MemoryStore();
 * assert.equal(requireStore("createHandler: the option store", store), store);
 * // A script's read-only adapter:
 * const readOnly = { url: "mem://x", head: store.head, get: store.get, list: store.list };
 * assert.throws(
 *   () => requireStore("createHandler: the option store", readOnly),
 *   /the option store \(mem:\/\/x\) is not an ObjectStore: it has no put\(\), delete\(\), copy\(\), close\(\)/,
 * );
 * assert.throws(() => requireStore("the target", "s3://b"), /the target must be an ObjectStore, got "s3:\/\/b"/);
 * ```
 */
export function requireStore(what: string, store: unknown): ObjectStore {
  if (typeof store !== "object" || store === null || Array.isArray(store)) {
    throw new InvalidInputError(`${what} must be an ObjectStore, got ${describeValue(store)}`);
  }
  const s = store as Record<string, unknown>;
  const missing = REQUIRED.filter((m) => typeof s[m] !== "function").map((m) => `${m}()`);
  const wrong = OPTIONAL.filter((m) => s[m] !== undefined && typeof s[m] !== "function")
    .map((m) => `${m} (${describeValue(s[m])}, not a function)`);
  if (typeof s.url !== "string") wrong.unshift(`url (${describeValue(s.url)}, not a string)`);
  if (missing.length > 0 || wrong.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`it has no ${missing.join(", ")}`] : []),
      ...(wrong.length > 0 ? [`its ${wrong.join(", ")}`] : []),
    ];
    throw new InvalidInputError(
      `${what}${
        typeof s.url === "string" && !what.includes(s.url) ? ` (${s.url})` : ""
      } is not an ObjectStore: ${parts.join("; ")} (${CONTRACT})`,
    );
  }
  return store as ObjectStore;
}

/**
 * A caller's store opener (the `openStore` option of `what`), checked: not a
 * function is refused here, and each store it returns goes through
 * {@linkcode requireStore} naming the URI it was opened for. `undefined` (no
 * opener given) stays `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedOpener } from "./store_check.ts";
 * import type { ObjectStore } from "./types.ts";
 * // A script's adapter that forgot every method but `url`:
 * const adapter = (uri: string) => Promise.resolve({ url: uri } as unknown as ObjectStore);
 * const open = checkedOpener("AssetCache", adapter)!;
 * await assert.rejects(
 *   open("s3://b"),
 *   /AssetCache: the store the option openStore returned for s3:\/\/b is not an ObjectStore: it has no head\(\)/,
 * );
 * assert.throws(() => checkedOpener("AssetCache", "s3://b" as never), /the option openStore must be a function/);
 * assert.equal(checkedOpener("AssetCache", undefined), undefined);
 * ```
 */
export function checkedOpener<A extends unknown[]>(
  what: string,
  open: ((uri: string, ...rest: A) => Promise<ObjectStore>) | undefined,
): ((uri: string, ...rest: A) => Promise<ObjectStore>) | undefined {
  if (open === undefined) return undefined;
  if (typeof open !== "function") {
    throw new InvalidInputError(
      `${what}: the option openStore must be a function, got ${describeValue(open)}`,
    );
  }
  return async (uri: string, ...rest: A) => {
    const said = `${what}: the store the option openStore returned for ${uri}`;
    const store = requireStore(said, await open(uri, ...rest));
    // An S3 store of another bucket or prefix (an opener that returns one
    // store whatever it is asked): its object would be filed under `uri`'s
    // name, other bytes served as it. A stand-in of another kind (a memory
    // or directory store for an `s3://` root) is the caller's choice.
    const root = (u: string) => u.replace(/^s3:\/\//i, "s3://").replace(/\/+$/, "");
    if (/^s3:\/\//i.test(store.url) && /^s3:\/\//i.test(uri) && root(store.url) !== root(uri)) {
      throw new InvalidInputError(
        `${said} is ${store.url}, another bucket or prefix: return the store of the root ` +
          "it is given (open it, or refuse the roots you have no store for)",
      );
    }
    return store;
  };
}
