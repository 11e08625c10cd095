/**
 * `vc repo gc`'s report names the first ids it expired or purged and counts
 * the rest, as failures are printed: a first gc of a large repository
 * printed every id on one line (200,000 superseded versions: a line of
 * 1.3 MB in a cron log). `--json` still lists them all.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const VERSIONS = 30;

Deno.test("vc repo gc: names the first 20 ids of a step and counts the rest; --json has all", async () => {
  await withWorkspace(async (dir, vc) => {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      // Straight into the catalog: thirty adds through the CLI take long.
      await repo.catalog.transaction("write", async (tx) => {
        for (let i = 0; i < VERSIONS; i++) {
          await tx.query(
            "INSERT INTO records (path, state, content_key, size, md5, origin_host, " +
              "created_at, published_at) VALUES ('/t.csv', 'published', $1, 1, $2, 'h', $3, $3)",
            [`content/00/v${i}`, "0".repeat(32), Date.now()],
          );
        }
      });
    }
    const env = { VC_REPO: uri };
    const json = JSON.parse(
      ok(await vc(["repo", "gc", "--dry-run", "--json"], env), "json").stdout,
    );
    assertEquals(json.expired.length, VERSIONS - 1);

    const out = ok(await vc(["repo", "gc"], env), "gc").stdout;
    const line = out.split("\n").find((l) => l.startsWith("expired "))!;
    const first = Array.from({ length: 20 }, (_, i) => i + 1).join(" ");
    assertStringIncludes(line, `expired ${VERSIONS - 1} superseded: ${first} `);
    assertStringIncludes(line, "... and 9 more (--json lists them all)");
    assert(!line.includes(" 21 "), line);
  });
});
