// README says how long `vc cache prune/verify` leave a data file without a
// record (a download may be about to write it): the grace the code applies,
// so a user who finds such a file left after a prune knows why, and when it
// goes. Kept in step with `ORPHAN_GRACE_MS`.
import { assert } from "./assert.ts";
import { ORPHAN_GRACE_MS } from "../src/cache/debris.ts";

Deno.test("README: names the grace before prune/verify remove a data file without a record", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const minutes = ORPHAN_GRACE_MS / 60_000;
  const flat = readme.replace(/\s+/g, " ");
  const sentence = flat.match(
    /`prune` and `verify` also remove data files that have no record[^.]*/,
  )
    ?.[0];
  assert(sentence !== undefined, "README no longer describes the removal of data without a record");
  assert(
    sentence.includes(`untouched for ${minutes} minutes`),
    `README does not say that a data file without a record stays ${minutes} minutes: ${sentence}`,
  );
});
