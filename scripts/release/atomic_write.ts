/**
 * `src/atomic_write.ts` as an entry of the full command line's release bundle
 * (see `main.ts`): `cli.ts` imports it by a computed specifier.
 *
 * @module
 */
export * from "../../src/atomic_write.ts";
