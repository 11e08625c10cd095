/**
 * A claim holder or a host the library took, but a snapshot's restore
 * refuses: `claim({ holder: "w\t1" })` (a tab, a newline, or over 1024
 * characters) and `Repository.init(uri, { host: "a\tb" })` were recorded
 * as given, and every backup taken while the claim held, or of any record
 * that host added, was then refused whole by `restore` (`claimed_by … is not
 * a short string … without control characters`): a backup that cannot be
 * restored. They are refused when given now, as the snapshot would be; a
 * holder of 1024 characters beyond ASCII is still claimed, backed up and
 * restored.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";

Deno.test("a claim holder or host a snapshot could not restore is refused when given", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => Repository.init(`file://${dir}/bad`, { host: "a\tb" }),
      InvalidInputError,
      "host",
    );
    await assertRejects(
      () => Repository.init(`file://${dir}/bad`, { host: "h".repeat(256) }),
      InvalidInputError,
      "host",
    );
    const uri = `file://${dir}/repo`;
    {
      await using repo = await Repository.init(uri, { host: "h\u00f6st-\u{1f600}" });
      const r = await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
      for (const holder of ["w\t1", "w\n1", "w\u00851", "h".repeat(1025)]) {
        await assertRejects(
          () => repo.claim({ ttlMs: 60_000, holder }),
          InvalidInputError,
          "claim holder",
        );
      }
      assertEquals((await repo.get(r.id)).claimedBy, null);
      const holder = "\u{1f600}".repeat(511) + "ab"; // 1024 UTF-16 code units
      assertEquals((await repo.claim({ ttlMs: 60_000, holder }))?.holder, holder);
      const snapshot = await repo.backup();
      await repo.close();
      const restored = await Repository.restore(uri, snapshot.uri, {
        force: true,
        host: "h\u00f6st-\u{1f600}",
      });
      assertEquals(restored.records, 1);
    }
    await using reopened = await Repository.open(uri, { host: "h\u00f6st-\u{1f600}" });
    const [record] = await reopened.list();
    assertEquals(record?.claimedBy, "\u{1f600}".repeat(511) + "ab");
    assertEquals(record?.originHost, "h\u00f6st-\u{1f600}");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A snapshot whose times pass the last one a JavaScript Date holds
 * (8.64e15 ms, year 275760) was restored, and then `vc repo ls`, `get` and
 * `find` of its record failed with an internal `RangeError: Invalid time
 * value`. Such a snapshot is refused now, naming the line and field.
 */
Deno.test("restore refuses a time no Date holds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = `file://${dir}/repo`;
    let lines: string[];
    {
      await using repo = await Repository.init(uri);
      const r = await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
      await repo.claim({ ttlMs: 60_000, holder: "w" });
      const snapshot = await repo.backup();
      const text = await new Response(
        (await Deno.open(new URL(snapshot.uri))).readable.pipeThrough(
          new DecompressionStream("gzip"),
        ),
      ).text();
      lines = text.trimEnd().split("\n");
      assertEquals(JSON.parse(lines[1]!).record.id, r.id);
    }
    for (const field of ["created_at", "published_at", "claim_until"]) {
      const edited = [...lines];
      const line = JSON.parse(edited[1]!);
      line.record[field] = 9e15;
      edited[1] = JSON.stringify(line);
      const file = `${dir}/edited-${field}.jsonl.gz`;
      const gz = new Blob([edited.join("\n") + "\n"]).stream().pipeThrough(
        new CompressionStream("gzip"),
      );
      await Deno.writeFile(file, gz);
      await assertRejects(
        () => Repository.restore(uri, `file://${file}`, { force: true }),
        InvalidInputError,
        `line 2: record field ${field} 9000000000000000 is not a time`,
      );
    }
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
