/**
 * A snapshot line edited by hand into a shape vc never writes is refused,
 * naming the line, rather than restored in part: a line holding two rows (a
 * pathTag added beside a recordTag) used to restore the first and drop the
 * other unsaid.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { parseSnapshot, snapshotRecord } from "./snapshot_lines.ts";

const record = snapshotRecord;
const parse = parseSnapshot;

Deno.test("restore refuses a snapshot line holding two rows or another key", () => {
  for (
    const line of [
      '{"recordTag":[1,"t"],"pathTag":["/b.csv","u"]}',
      '{"pathTag":["/b.csv","u"],"recordTag":[1,"t"]}',
      '{"recordTag":[1,"t"],"note":"x"}',
      "{}",
    ]
  ) {
    const error = assertThrows(() => parse(record(), line));
    assertStringIncludes(String(error), "b.jsonl.gz: line 3: holds");
    assertStringIncludes(String(error), "exactly one of record, recordTag, pathTag, end");
  }
  const error = assertThrows(() => parse(record().replace(/}$/, ',"recordTag":[1,"t"]}')));
  assertStringIncludes(String(error), "line 2: holds");
  // What vc writes still parses.
  const rows = parse(record(), '{"recordTag":[1,"t"]}', '{"pathTag":["/b.csv","u"]}');
  assertEquals([rows.records.length, rows.recordTags.length, rows.pathTags.length], [1, 1, 1]);
});

Deno.test("a refused two-row line restores nothing of the snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_line_shape_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const snapshotPath = join(dir, "edited.jsonl.gz");
    {
      await using repo = await Repository.init(uri);
      const r = await repo.add("/a.csv", new TextEncoder().encode("a"));
      await repo.tag({ id: r.id }, ["t"]);
      const text = await new Response(
        (await Deno.open(new URL((await repo.backup()).uri))).readable.pipeThrough(
          new DecompressionStream("gzip"),
        ),
      ).text();
      const edited = text.replace(
        '{"recordTag":[1,"t"]}',
        '{"recordTag":[1,"t"],"pathTag":["/a.csv","u"]}',
      );
      await Deno.writeFile(
        snapshotPath,
        new Response(new Blob([edited]).stream().pipeThrough(new CompressionStream("gzip")))
          .body!,
      );
      await repo.untag({ id: r.id }, ["t"]);
    }
    const error = await assertRejects(() => Repository.restore(uri, snapshotPath, { force: true }));
    assertStringIncludes(String(error), 'holds "recordTag", "pathTag"');
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.tags), [[]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
