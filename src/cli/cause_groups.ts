/**
 * Failure lists said by cause: a cause shared by many failures (a bucket
 * that does not exist, a store that cannot be reached, a directory vc may
 * not write) gave each its line of the same words; one line says it once,
 * naming the first few.
 *
 * @module
 */

/** Failures of one cause, or (`cause` undefined) one failure said alone. */
export interface CauseGroup<T> {
  cause: string | undefined;
  items: T[];
}

/**
 * `items` in their order, those `causeOf` gives one cause gathered where
 * the first of them was; an item without a cause stays alone.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupByCause } from "./cause_groups.ts";
 * const groups = groupByCause(["a:x", "b", "c:x"], (s) => s.split(":")[1]);
 * assert.deepEqual(groups, [
 *   { cause: "x", items: ["a:x", "c:x"] },
 *   { cause: undefined, items: ["b"] },
 * ]);
 * ```
 */
export function groupByCause<T>(
  items: Iterable<T>,
  causeOf: (item: T) => string | undefined,
): CauseGroup<T>[] {
  const groups: CauseGroup<T>[] = [];
  const byCause = new Map<string, CauseGroup<T>>();
  for (const item of items) {
    const cause = causeOf(item);
    const group = cause === undefined ? undefined : byCause.get(cause);
    if (group !== undefined) {
      group.items.push(item);
      continue;
    }
    const fresh = { cause, items: [item] };
    if (cause !== undefined) byCause.set(cause, fresh);
    groups.push(fresh);
  }
  return groups;
}

/**
 * The first three of `names` (each as `show` gives it) and how many more:
 * `a, b, c, and 48 more`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fewNamed } from "./cause_groups.ts";
 * assert.equal(fewNamed(["a", "b"]), "a, b");
 * assert.equal(fewNamed(["a", "b", "c", "d", "e"]), "a, b, c, and 2 more");
 * assert.equal(fewNamed(["a", "b"], (s) => s.toUpperCase()), "A, B");
 * ```
 */
export function fewNamed(
  names: readonly string[],
  show: (name: string) => string = (name) => name,
): string {
  const more = names.length - 3;
  return `${names.slice(0, 3).map(show).join(", ")}${more > 0 ? `, and ${more} more` : ""}`;
}
