/**
 * A repository marker (`.vc-repo.json`) damaged by a hand edit or a
 * truncated upload is refused naming the marker and where its JSON breaks,
 * without quoting its text (it may hold a PostgreSQL catalog's password).
 */
import { assert, assertMatch } from "./assert.ts";
import { readMarker } from "../src/repo/marker.ts";
import { InvalidInputError } from "../src/errors.ts";
import type { ObjectStore } from "../src/store/types.ts";

function storeHolding(text: string): ObjectStore {
  return {
    url: "file:///repo",
    get: () =>
      Promise.resolve({
        body: new Blob([text]).stream(),
        info: { key: ".vc-repo.json", size: new TextEncoder().encode(text).length, etag: "e" },
      }),
  } as unknown as ObjectStore;
}

Deno.test("repo marker: damaged JSON is refused with its line and column, no text quoted", async () => {
  const text =
    '{"format":"vc-repo",\n "catalog":{"kind":"postgres","url":"postgres://u:s3cret@h/db"\n';
  let error: unknown;
  try {
    await readMarker(storeHolding(text));
  } catch (e) {
    error = e;
  }
  assert(error instanceof InvalidInputError, `not an InvalidInputError: ${error}`);
  assertMatch(
    error.message,
    /^file:\/\/\/repo\/\.vc-repo\.json is not valid JSON \(at line 3, column 1\)$/,
  );
  assert(!error.message.includes("s3cret"));
});
