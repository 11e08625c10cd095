/**
 * A stand-in for an object (a store, a catalog) with some of its members
 * replaced, for tests that watch, delay or fail some calls: everything not
 * replaced is the object's own, its methods bound to it (so private fields
 * keep working), and `instanceof` still sees its class.
 */

/**
 * `target` with the members in `overrides` replaced; an override that calls
 * through calls `target` itself (not the stand-in).
 */
export function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(target, name) {
      if (Object.hasOwn(overrides, name)) return overrides[name as keyof T];
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
