// A removal refused on another file of the entry's than its data (its record
// journal) names that file, not the data file, as the one not writable.
import { assertStringIncludes } from "./assert.ts";
import { readOnlyError } from "../src/cache/cache_errors.ts";

Deno.test("readOnlyError names the file the system refused, inside the cache dir", () => {
  const journal = "/c/.meta/s3/b/%records.jsonl";
  const denied = new Deno.errors.PermissionDenied(
    `Operation not permitted (os error 1): open '${journal}'`,
  );
  const e = readOnlyError(denied, "remove the cached copy of s3://b/k", "/c/s3/b/k", "/c") as Error;
  assertStringIncludes(e.message, `${journal} in the cache dir /c is not writable`);
  // A path outside the cache dir (a sibling with the same prefix) is not taken for it.
  const outside = new Deno.errors.PermissionDenied(
    `Permission denied (os error 13): open '/cx/other'`,
  );
  const f = readOnlyError(
    outside,
    "remove the cached copy of s3://b/k",
    "/c/s3/b/k",
    "/c",
  ) as Error;
  assertStringIncludes(f.message, `/c/s3/b/k in the cache dir /c is not writable`);
});
