/**
 * A snapshot of another repository is refused at its header, as soon as it
 * is read: before, the whole snapshot was read and checked first (a minute
 * for millions of rows) and a damage further on was reported instead of
 * whose snapshot it is.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { repoWithDamagedSnapshot } from "./damaged_snapshot.ts";

Deno.test("repo restore: another repository's snapshot is refused at its header", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_foreign_header_" });
  try {
    // Its rows after the header damaged: whose it is is what is said.
    const { snapshot: local } = await repoWithDamagedSnapshot(dir);
    const y = pathToFileURL(join(dir, "y")).href;
    await (await Repository.init(y)).close();
    for (const force of [false, true]) {
      const refused = await assertRejects(() => Repository.restore(y, local, { force }));
      assertStringIncludes(refused.message, "backup of another repository");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
