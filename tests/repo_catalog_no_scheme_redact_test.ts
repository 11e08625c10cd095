/**
 * A `--catalog` missing its `postgres://` (`vc:pw@db:5432/vc`, or
 * `postgresql//vc:pw@…`) was shown with its password in the error refusing
 * it: a URL parser takes `vc:` for the scheme and `pw@db…` for a path, so
 * nothing looked like a password to drop. `init`'s error even said "secrets
 * are not shown" beside it.
 */
import { InvalidInputError } from "../src/errors.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";
import { checkRuntimeUrl } from "../src/repo/setup.ts";
import { assert, assertThrows } from "./assert.ts";

const GIVEN = ["vc:Secret1@db:5432/vc", "postgresql//vc:Secret1@db/vc", "pg://vc:Secret1@db/vc"];

Deno.test("repo: a catalog missing its postgres:// never shows its password", () => {
  for (const text of GIVEN) {
    const refused = assertThrows(() => parseCatalogRef(text, "h"), InvalidInputError);
    assert(!refused.message.includes("Secret1"), refused.message);
    const other = assertThrows(
      () => checkRuntimeUrl({ kind: "postgres", url: "postgres://vc@db:5432/vc" }, text),
      InvalidInputError,
    );
    assert(!other.message.includes("Secret1"), other.message);
    assert(other.message.includes("vc:***@"), other.message);
  }
});
