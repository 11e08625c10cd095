/**
 * `VersionedCache`'s `frozen` and `lock` options, as a script without type
 * checking passes them: `frozen: "false"` (an environment variable's text)
 * was truthy, so the cache ran frozen and `frozen` read "false"; `lock: 5`
 * or `lock: true` was a bare `TypeError` from `path.resolve`.
 */
import { join } from "node:path";
import { assertEquals, assertThrows } from "./assert.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;

Deno.test("VersionedCache: frozen that is not a boolean is refused, naming the option", () => {
  const manifest = join(Deno.cwd(), "never-read.json");
  for (const frozen of ["false", "yes", 1, 0, null]) {
    assertThrows(
      () => new VersionedCache({ manifest, bucket: "b", frozen: bad(frozen) }),
      InvalidInputError,
      "VersionedCache: the option frozen must be true or false",
    );
  }
  assertEquals(new VersionedCache({ manifest, bucket: "b", frozen: true }).frozen, true);
  assertEquals(new VersionedCache({ manifest, bucket: "b" }).frozen, false);
});

Deno.test("VersionedCache: lock that is neither a path nor false is refused, naming the option", () => {
  const manifest = join(Deno.cwd(), "never-read.json");
  for (const lock of [5, true, null, "", {}]) {
    assertThrows(
      () => new VersionedCache({ manifest, bucket: "b", lock: bad(lock) }),
      InvalidInputError,
      "VersionedCache: the option lock must be",
    );
  }
  assertEquals(new VersionedCache({ manifest, bucket: "b", lock: false }).lockFile, undefined);
  assertEquals(
    new VersionedCache({ manifest, bucket: "b", lock: "x.lock.json" }).lockFile,
    join(Deno.cwd(), "x.lock.json"),
  );
});
