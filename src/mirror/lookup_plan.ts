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

/**
 * How a mirror run confirms its uploads `keys` (`Mirror.#confirmUploads`)
 * at the fewest requests: `lists`, the scopes to list, each with the
 * uploads its listing confirms, and `heads`, the uploads asked by a HEAD
 * each. `listed`: the scopes the run listed, each with the objects found
 * under it. A listing costs a page per `page` (S3's 1000; a directory
 * store's 2: see `listPageOf` in mirror.ts) of its objects and uploads;
 * either one scope holding every upload is listed (a full pass's prefix),
 * or each upload goes to the narrowest scope holding it (the directories
 * a watch's batch listed), an upload in a scope below another one taken
 * going to that one, and a scope whose listing costs as many pages as it
 * has uploads is left to HEADs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confirmationPlan } from "./lookup_plan.ts";
 * // Two uploads in a listed directory of 10 objects: one listing of it.
 * const plan = confirmationPlan(["a/1", "a/2"], new Map([["a/", 10]]));
 * assert.deepEqual([...plan.lists], [["a/", ["a/1", "a/2"]]]);
 * // Nothing listed: a HEAD each.
 * assert.deepEqual(confirmationPlan(["x/1"], undefined).heads, ["x/1"]);
 * ```
 */
export function confirmationPlan(
  keys: readonly string[],
  listed: ReadonlyMap<string, number> | undefined,
  page: number = LIST_PAGE,
): { lists: Map<string, string[]>; heads: string[] } {
  const pagesOf = (scope: string, uploads: number) =>
    Math.ceil(((listed?.get(scope) ?? 0) + uploads) / page);
  // One scope holding them all (the cheapest), against a HEAD each.
  let single: string | undefined;
  let singleCost = keys.length;
  for (const scope of listed?.keys() ?? []) {
    const cost = pagesOf(scope, keys.length);
    if (cost >= singleCost || !keys.every((k) => k.startsWith(scope))) continue;
    single = scope;
    singleCost = cost;
  }
  // Each upload in the narrowest scope holding it.
  const scopes = [...listed?.keys() ?? []].sort((a, b) => b.length - a.length);
  const byScope = new Map<string, string[]>();
  const heads: string[] = [];
  for (const key of keys) {
    const scope = scopes.find((s) => key.startsWith(s));
    if (scope === undefined) heads.push(key);
    else {
      // Appended in place: a copy of the group for each key was quadratic
      // (a first upload of 20,000 files made 200 million copies of keys,
      // and ~70 MB of garbage at the end of the run).
      const group = byScope.get(scope);
      if (group === undefined) byScope.set(scope, [key]);
      else group.push(key);
    }
  }
  // A scope below another one taken is listed by that one.
  const taken = [...byScope.keys()].sort((a, b) => a.length - b.length);
  for (const scope of taken) {
    const above = taken.find((s) => s !== scope && byScope.has(s) && scope.startsWith(s));
    if (above === undefined) continue;
    append(byScope.get(above)!, byScope.get(scope)!);
    byScope.delete(scope);
  }
  const lists = new Map<string, string[]>();
  let cost = heads.length;
  for (const [scope, group] of byScope) {
    const pages = pagesOf(scope, group.length);
    if (pages < group.length) {
      lists.set(scope, group);
      cost += pages;
    } else {
      append(heads, group);
      cost += group.length;
    }
  }
  if (cost < singleCost) return { lists, heads };
  return single === undefined
    ? { lists: new Map(), heads: [...keys] }
    : { lists: new Map([[single, [...keys]]]), heads: [] };
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
