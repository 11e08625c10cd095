/**
 * A path, tag or claim holder with a lone UTF-16 surrogate (a JS string that
 * is not valid Unicode: a broken decoder, a Windows name, a `\ud800` in a
 * snapshot's JSON) reached the catalog, which stores it as U+FFFD: `add`
 * returned a path other than the one given, and `/a\ud800` and `/a\udfff`
 * became one path, one version history. The repository now refuses them as
 * the versioned cache and the stores already do.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { parseSnapshot, snapshotRecord } from "./snapshot_lines.ts";

const bytes = new Uint8Array([1]);

Deno.test("repo: lone surrogates in paths, tags and holders are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_surrogate_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    for (const path of ["/a\ud800.txt", "/b/\udfff", "/\udc00x"]) {
      await assertRejects(() => repo.add(path, bytes), InvalidInputError, "lone UTF-16 surrogate");
      await assertRejects(() => repo.tag({ path }, ["t"]), InvalidInputError, "surrogate");
      await assertRejects(() => repo.current(path), InvalidInputError, "surrogate");
    }
    const r = await repo.publish((await repo.add("/ok.txt", bytes)).id);
    await assertRejects(() => repo.add("/ok.txt", bytes, { tags: ["t\ud800"] }), InvalidInputError);
    await assertRejects(() => repo.tag({ id: r.id }, ["\udfff"]), InvalidInputError, "surrogate");
    await assertRejects(
      () => repo.claim({ ttlMs: 60_000, holder: "w\ud800" }),
      InvalidInputError,
      "lone UTF-16 surrogate",
    );
    const claim = await repo.claim({ ttlMs: 60_000, holder: "w\ufffd" });
    assertEquals(claim?.record.id, r.id);
    // Stored as U+FFFD, "w\ud800" would have renewed and released w\ufffd's claim.
    await assertRejects(() => repo.renew(r.id, "w\ud800", 60_000), InvalidInputError);
    await assertRejects(() => repo.release(r.id, "w\ud800"), InvalidInputError);
    assertEquals((await repo.list()).map((x) => x.path), ["/ok.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot with a lone surrogate in a path or text field is refused", () => {
  const record = snapshotRecord;
  for (
    const [line, why] of [
      [record({ path: "/a\ud800.csv" }), "surrogate"],
      [record({ origin_host: "h\udfff" }), "valid Unicode"],
      [record({ claimed_by: "\ud800" }), "valid Unicode"],
      [`${record({})}\n{"pathTag":["/p\\ud800","t"]}`, "surrogate"],
      [`${record({})}\n{"recordTag":[1,"t\\udfff"]}`, "surrogate"],
    ] as const
  ) {
    assertThrows(
      () => parseSnapshot(line),
      InvalidInputError,
      why,
    );
  }
});
