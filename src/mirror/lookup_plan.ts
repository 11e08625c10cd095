/**
 * Which of a mirror run's keys are looked up by listing a scope and which by
 * a HEAD each, at the fewest requests: the directories a watch's batch lists
 * ({@linkcode listingScopes}) and how the run's uploads are confirmed
 * ({@linkcode confirmationPlan}). Pure planning over key names and the
 * state's counts; the requests themselves are made in mirror.ts.
 *
 * @module
 */

/** Keys per listing page (S3's): the state's keys this far apart split the listing into ranges. */
export const LIST_PAGE = 1000;

/** How a mirror run confirms its uploads: see {@linkcode confirmationPlan}. */
export interface ConfirmationPlan {
  /** The scopes to list, each with how many of the uploads its listing confirms. */
  lists: Map<string, number>;
  /** How many uploads are asked by a HEAD each. */
  heads: number;
  /** The scope whose listing confirms the upload `key`; undefined: a HEAD. */
  scopeOf(key: string): string | undefined;
}

/**
 * How a mirror run confirms its uploads `keys` (`Mirror.#confirmUploads`)
 * at the fewest requests: `lists`, the scopes to list, each with how many
 * uploads its listing confirms, and `heads`, how many are asked by a HEAD
 * each; `scopeOf` tells which a key is. `listed`: the scopes the run
 * listed, each with the objects found under it. A listing costs a page per
 * `page` (S3's 1000; a directory store's 2: see `listPageOf` in mirror.ts)
 * of its objects and uploads; either one scope holding every upload is
 * listed (a full pass's prefix), or each upload goes to the narrowest scope
 * holding it (the directories a watch's batch listed), an upload in a scope
 * below another one taken going to that one, and a scope whose listing
 * costs as many pages as it has uploads is left to HEADs. `keys` is read
 * once and none of them is kept: the plan is counts by scope, so a first
 * upload of 100,000 files does not hold 100,000 keys to confirm them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confirmationPlan } from "./lookup_plan.ts";
 * // Two uploads in a listed directory of 10 objects: one listing of it.
 * const plan = confirmationPlan(["a/1", "a/2"], new Map([["a/", 10]]));
 * assert.deepEqual([...plan.lists], [["a/", 2]]);
 * assert.equal(plan.scopeOf("a/1"), "a/");
 * // Nothing listed: a HEAD each.
 * const heads = confirmationPlan(["x/1"], undefined);
 * assert.equal(heads.heads, 1);
 * assert.equal(heads.scopeOf("x/1"), undefined);
 * ```
 */
export function confirmationPlan(
  keys: Iterable<string>,
  listed: ReadonlyMap<string, number> | undefined,
  page: number = LIST_PAGE,
): ConfirmationPlan {
  const pagesOf = (scope: string, uploads: number) =>
    Math.ceil(((listed?.get(scope) ?? 0) + uploads) / page);
  // Narrowest first: a key's scope is the first one holding it.
  const scopes = [...listed?.keys() ?? []].sort((a, b) => b.length - a.length);
  const narrowest = (key: string) => scopes.find((s) => key.startsWith(s));
  // One pass over the keys: how many there are, how many each scope holds
  // (at any depth), and how many have each as their narrowest.
  let total = 0;
  const holds = new Map<string, number>();
  const byScope = new Map<string, number>();
  let unscoped = 0;
  for (const key of keys) {
    total++;
    let first: string | undefined;
    for (const scope of scopes) {
      if (!key.startsWith(scope)) continue;
      first ??= scope;
      holds.set(scope, (holds.get(scope) ?? 0) + 1);
    }
    if (first === undefined) unscoped++;
    else byScope.set(first, (byScope.get(first) ?? 0) + 1);
  }
  // One scope holding them all (the cheapest), against a HEAD each.
  let single: string | undefined;
  let singleCost = total;
  for (const scope of listed?.keys() ?? []) {
    const cost = pagesOf(scope, total);
    if (cost >= singleCost || holds.get(scope) !== total) continue;
    single = scope;
    singleCost = cost;
  }
  // A scope below another one taken is listed by that one (the widest:
  // taken from the shortest, a scope merged away is skipped).
  const into = new Map<string, string>();
  const taken = [...byScope.keys()].sort((a, b) => a.length - b.length);
  for (const scope of taken) {
    const above = taken.find((s) => s !== scope && byScope.has(s) && scope.startsWith(s));
    if (above === undefined) continue;
    byScope.set(above, byScope.get(above)! + byScope.get(scope)!);
    byScope.delete(scope);
    into.set(scope, above);
  }
  const lists = new Map<string, number>();
  let heads = unscoped;
  let cost = unscoped;
  for (const [scope, uploads] of byScope) {
    const pages = pagesOf(scope, uploads);
    if (pages < uploads) {
      lists.set(scope, uploads);
      cost += pages;
    } else {
      heads += uploads;
      cost += uploads;
    }
  }
  if (cost < singleCost) {
    return {
      lists,
      heads,
      scopeOf(key) {
        const scope = narrowest(key);
        if (scope === undefined) return undefined;
        const to = into.get(scope) ?? scope;
        return lists.has(to) ? to : undefined;
      },
    };
  }
  return single === undefined
    ? { lists: new Map(), heads: total, scopeOf: () => undefined }
    : { lists: new Map([[single, total]]), heads: 0, scopeOf: () => single };
}

/**
 * The directories whose listing looks `keys` up at the fewest requests
 * (see `Mirror.#lookUpTogether`), each with the keys below it and the
 * pages it may take. A directory is listed when that takes fewer pages
 * than its keys would cost otherwise: a HEAD for each key directly in it,
 * and for each directory below it the cheaper of its listing and its own
 * keys' cost. `fewer(pages, dir)`: whether the objects below `dir` (every
 * depth) fill fewer than `pages` pages, by the state's count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listingScopes } from "./lookup_plan.ts";
 * // A key in each of 30 directories below p/, of 150 objects: one listing of p/.
 * const keys = Array.from({ length: 30 }, (_, i) => `p/d${i}/f.txt`);
 * const scopes = listingScopes(keys, (pages) => 150 < pages * 1000);
 * assert.deepEqual([...scopes.keys()], ["p/"]);
 * // One key: a HEAD, no listing.
 * assert.equal(listingScopes(["a/b.txt"], () => true).size, 0);
 * ```
 */
export function listingScopes(
  keys: readonly string[],
  fewer: (pages: number, dir: string) => boolean,
): Map<string, { keys: string[]; pages: number }> {
  // Every directory holding a key, at any depth, with its keys and the
  // directories directly below it.
  const dirs = new Map<string, { direct: string[]; below: Set<string> }>();
  const dirOf = (dir: string) => {
    let d = dirs.get(dir);
    if (d === undefined) dirs.set(dir, d = { direct: [], below: new Set() });
    return d;
  };
  for (const key of keys) {
    let dir = key.slice(0, key.lastIndexOf("/") + 1);
    dirOf(dir).direct.push(key);
    while (dir !== "") {
      const parent = dir.slice(0, dir.lastIndexOf("/", dir.length - 2) + 1);
      dirOf(parent).below.add(dir);
      dir = parent;
    }
  }
  // Deepest first: each directory's cost, and whether to list it.
  const cost = new Map<string, number>();
  const list = new Map<string, number>();
  const all = new Map<string, string[]>();
  for (const dir of [...dirs.keys()].sort((a, b) => b.length - a.length)) {
    const d = dirs.get(dir)!;
    let otherwise = d.direct.length;
    const below = [...d.direct];
    for (const sub of d.below) {
      otherwise += cost.get(sub)!;
      append(below, all.get(sub)!);
    }
    all.set(dir, below);
    // A listing of fewer pages than that cost is cheaper. (One directory
    // alone below this one, with no key here: this listing would only be
    // longer than that one's.)
    const pages = otherwise - 1;
    const alone = d.direct.length === 0 && d.below.size === 1;
    if (pages >= 1 && !alone && fewer(pages, dir)) {
      list.set(dir, pages);
      cost.set(dir, pages);
    } else {
      cost.set(dir, otherwise);
    }
  }
  // From the top: a directory listed covers every one below it.
  const scopes = new Map<string, { keys: string[]; pages: number }>();
  const visit = (dir: string) => {
    const pages = list.get(dir);
    if (pages !== undefined) {
      scopes.set(dir, { keys: all.get(dir)!, pages });
      return;
    }
    for (const sub of dirs.get(dir)!.below) visit(sub);
  };
  if (dirs.has("")) visit("");
  return scopes;
}

// `to.push(...from)` passes each item as an argument: past ~120,000 items
// (the uploads of a large first run) V8 throws "Maximum call stack size
// exceeded". One at a time has no such limit.
function append<T>(to: T[], from: readonly T[]): void {
  for (const item of from) to.push(item);
}
