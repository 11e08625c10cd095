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
import { gunzip, gzip } from "./gzip.ts";

Deno.test("repo restore: another repository's snapshot is refused at its header", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_foreign_header_" });
  try {
    const x = pathToFileURL(join(dir, "x")).href;
    const y = pathToFileURL(join(dir, "y")).href;
    const local = join(dir, "x.jsonl.gz");
    {
      await using repo = await Repository.init(x);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(pathToFileURL(local).href);
    }
    await (await Repository.init(y)).close();
    // Its rows after the header damaged: whose it is is what is said.
    const lines = (await gunzip(await Deno.readFile(local))).split("\n");
    lines[1] = "{not json";
    await Deno.writeFile(local, await gzip(lines.join("\n")));
    for (const force of [false, true]) {
      const refused = await assertRejects(() => Repository.restore(y, local, { force }));
      assertStringIncludes(refused.message, "backup of another repository");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
