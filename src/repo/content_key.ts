/**
 * The shape of a key the repository names its content by: what `restore`
 * takes from a snapshot and `adopt` takes from a user, so that neither makes
 * a record whose purge (or gc) would delete an object that is not content
 * (the marker, a backup, a sibling repository's object).
 *
 * @module
 */

// What the repository writes after its prefix: a UUID and a short extension,
// in a directory named by the UUID's first two hex digits (earlier versions
// wrote the name alone).
const CONTENT_NAME = /^(?:[0-9a-f]{2}\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * What is wrong with `key` as a content key under `contentPrefix`:
 * `"outside"` when it is not under the prefix, `"shape"` when it is but is
 * not a name vc gives its content (a folder that is not two hex digits, a
 * deeper path, `..`, a dot file such as a writer's temp file), undefined
 * when it is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentKeyProblem } from "./content_key.ts";
 * assert.equal(contentKeyProblem("content/0f/0f1e.csv", "content/"), undefined);
 * assert.equal(contentKeyProblem("content/../.vc-repo.json", "content/"), "shape");
 * assert.equal(contentKeyProblem("backups/catalog-1.jsonl.gz", "content/"), "outside");
 * ```
 */
export function contentKeyProblem(
  key: string,
  contentPrefix: string,
): "outside" | "shape" | undefined {
  if (!key.startsWith(contentPrefix)) return "outside";
  if (!CONTENT_NAME.test(key.slice(contentPrefix.length)) || key.includes("..")) return "shape";
  return undefined;
}
