/**
 * A comment after an item on its line (`/a.csv  # the model`, as requirements
 * files allow): a list's `#` starts a comment only at the start of a line, so
 * the comment is part of the item. Its miss says so (the item is kept as
 * written: an S3 key or a versioned path may hold ` #`).
 *
 * @module
 */

/** What a miss of an item with a comment after it adds. */
export const INLINE_COMMENT_HINT =
  "a # starts a comment only at the start of a line: put the comment on a line of its own";

/**
 * The item before a ` #` comment on its line, or undefined when it has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { beforeInlineComment } from "./inline_comment.ts";
 * assert.equal(beforeInlineComment("s3://b/k  # raw data"), "s3://b/k");
 * assert.equal(beforeInlineComment("s3://b/k#1"), undefined);
 * ```
 */
export function beforeInlineComment(item: string): string | undefined {
  return /^(.*?\S)\s+#/.exec(item)?.[1];
}
