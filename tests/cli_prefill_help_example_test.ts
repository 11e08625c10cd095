import { prefill } from "../src/cli/prefill_command.ts";
import { assert } from "./assert.ts";

Deno.test("cli prefill: the help's S3 listing example keeps keys with spaces whole", () => {
  const listing = prefill.examples?.find((e) => e.includes("--list -")) ?? "";
  // `aws s3 ls` prints columns: awk's $4 cuts `models/a b.bin` to `models/a` (see README).
  assert(!/aws s3 ls\b/.test(listing), listing);
  assert(listing.includes("list-objects-v2"), listing);
});
