// checkPositiveInteger: the one "must be a positive integer" check of the
// library's count and bound options (createHandler, AssetCache, downloads).
import { assertEquals, assertThrows } from "./assert.ts";
import { checkPositiveInteger } from "../src/options_check.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("checkPositiveInteger: absent or a positive safe integer passes", () => {
  for (const ok of [undefined, 1, 16, Number.MAX_SAFE_INTEGER]) checkPositiveInteger("n", ok);
});

Deno.test("checkPositiveInteger: anything else is refused, naming the option and the value", () => {
  for (
    const [bad, shown] of [
      [0, "0"],
      [-1, "-1"],
      [1.5, "1.5"],
      [Number.NaN, "NaN"],
      [Infinity, "Infinity"],
      [2 ** 53, String(2 ** 53)],
      ["4", '"4"'],
      [null, "null"],
    ] as const
  ) {
    const e = assertThrows(
      () => checkPositiveInteger("createHandler: the option maxUploads", bad),
      InvalidInputError,
    );
    assertEquals(
      e.message,
      `createHandler: the option maxUploads must be a positive integer, got ${shown}`,
    );
  }
});
