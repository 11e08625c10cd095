/**
 * `connectRetryMs` that is not a finite number of milliseconds ≥ 0 was a
 * bare `TypeError`, and only once a PostgreSQL catalog was opened: a SQLite
 * repository took `-1`, `"30000"` or `NaN` unsaid. The README promises an
 * `InvalidInputError` for a bad argument, as every other numeric option of
 * the library gives: it now is one, naming the call and the option, from
 * `Repository.init`, `open` and `restore` alike, whatever the catalog.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo: a bad connectRetryMs is an InvalidInputError naming it, on a SQLite repository too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_connect_retry_option_" });
  try {
    const uri = pathToFileURL(join(dir, "r")).href;
    const snapshot = join(dir, "b.jsonl.gz");
    {
      await using repo = await Repository.init(uri);
      await repo.backup(snapshot);
    }
    for (const bad of [-1, Number.NaN, Infinity, "30000"]) {
      const connectRetryMs = bad as number;
      for (
        const [call, run] of [
          [
            "Repository.init()",
            () => Repository.init(pathToFileURL(join(dir, "new")).href, { connectRetryMs }),
          ],
          ["Repository.open()", () => Repository.open(uri, { connectRetryMs })],
          [
            "Repository.restore()",
            () => Repository.restore(uri, snapshot, { connectRetryMs, force: true }),
          ],
        ] as const
      ) {
        const e = await assertRejects(run, InvalidInputError);
        assertStringIncludes(e.message, `${call}: the option connectRetryMs`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
