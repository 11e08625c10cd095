/**
 * A backup file with bytes after its gzip stream (a second file appended, a
 * download with junk at its end) or damaged in its first block was refused
 * as "not a gzip-compressed vc-repo backup", though `file` and `gzip -t`
 * take it for one: the error sent its user looking for the wrong file. It
 * is named now as a gzip file cut short, damaged or with data after its end;
 * a file that is no gzip at all keeps its message.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { readSnapshot } from "../src/repo/backup.ts";

const gzip = async (text: string) =>
  new Uint8Array(
    await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );

Deno.test("restore names a backup with data after its gzip stream as such, not as no gzip", async () => {
  const good = await gzip(
    '{"format":"vc-repo-backup","version":2}\n{"end":{"records":0,"recordTags":0,"pathTags":0}}\n',
  );
  for (
    const tail of [new TextEncoder().encode("garbage"), await gzip('{"pathTag":["/a","t"]}\n')]
  ) {
    const bytes = new Uint8Array([...good, ...tail]);
    await assertRejects(
      () => readSnapshot(bytes, { source: "b.jsonl.gz" }),
      Error,
      "b.jsonl.gz is cut short or damaged, or has other data after its end",
    );
  }
  await assertRejects(
    () => readSnapshot(new TextEncoder().encode('{"format":"vc-repo-backup"}\n'), { source: "p" }),
    Error,
    "p is not a gzip-compressed vc-repo backup",
  );
});

Deno.test("restore names data after the gzip stream of a backup past its first lines too", async () => {
  // Lines enough to be read before the stream fails: a real backup with a
  // second file appended was named only as cut short, which it is not.
  const records = Array.from({ length: 3000 }, (_, i) =>
    JSON.stringify({
      record: {
        id: i + 1,
        path: `/d/${i}.csv`,
        state: "published",
        content_key: `content/${crypto.randomUUID()}.csv`,
        size: i,
        md5: "0".repeat(32),
        origin_host: "h",
        created_at: 1,
        published_at: 2,
      },
    }));
  const good = await gzip(
    ['{"format":"vc-repo-backup","version":2}', ...records].join("\n") +
      '\n{"end":{"records":3000,"recordTags":0,"pathTags":0}}\n',
  );
  assertEquals((await readSnapshot(good)).counts.records, 3000);
  for (const tail of [new TextEncoder().encode("garbage"), good]) {
    const e = await assertRejects(
      () => readSnapshot(new Uint8Array([...good, ...tail]), { source: "b.jsonl.gz" }),
      Error,
    );
    assertStringIncludes(
      e.message,
      "b.jsonl.gz is cut short or damaged, or has other data after its end",
    );
  }
});
