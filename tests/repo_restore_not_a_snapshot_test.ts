/**
 * `vc repo restore FILE` of a file that is no gzip stream said only
 * `FILE is not a gzip-compressed vc-repo backup`, whatever it was: an empty
 * file (a backup cut off before its first byte), a snapshot someone
 * gunzipped to read (its JSON Lines whole), or a copy of the SQLite
 * catalog file itself (how many back a database up) all read alike, and
 * none said what to do. Each is now named for what it is, and nothing is
 * restored.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { InvalidInputError } from "../src/errors.ts";
import { parseSnapshotStream } from "../src/repo/backup_lines.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

Deno.test("repo restore: an empty file, a gunzipped snapshot and a catalog file are named for what they are", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(ws.path("repo")).href;
  const vc = (...args: string[]) => ws.run([...args, "--repo", repo]);
  assertEquals((await vc("repo", "init")).code, 0);
  await ws.write("a.csv", "a\n");
  assertEquals((await vc("repo", "add", "/a.csv", "a.csv")).code, 0);
  const backup = await vc("repo", "backup", "--json");
  const snapshot = new URL(backup.json<{ uri: string }>().uri);
  const bytes = await Deno.readFile(snapshot);

  await Deno.writeFile(ws.path("empty.jsonl.gz"), new Uint8Array());
  await Deno.writeFile(ws.path("plain.jsonl"), gunzipSync(bytes));
  await Deno.copyFile(join(ws.path("repo"), ".vc~repo.sqlite"), ws.path("copy.sqlite"));
  for (
    const [file, said] of [
      ["empty.jsonl.gz", "is empty (0 bytes)"],
      ["plain.jsonl", "it holds one gunzipped"],
      ["copy.sqlite", "is a SQLite database"],
    ] as const
  ) {
    const uri = pathToFileURL(ws.path(file)).href;
    const r = await vc("repo", "restore", uri, "--force");
    assertFailure(r, 1, uri, said);
    // Said, not only "not a gzip-compressed vc-repo backup".
    assert(!r.stderr.trimEnd().endsWith("is not a gzip-compressed vc-repo backup"), r.stderr);
  }
  // The gunzipped one says how to restore it.
  const plain = await vc("repo", "restore", pathToFileURL(ws.path("plain.jsonl")).href);
  assertFailure(plain, 1, "gzip -k FILE");
  // Nothing was restored: the catalog holds its record as before.
  const listed = await vc("repo", "ls", "--json");
  assertEquals(listed.json<{ path: string }[]>().map((r) => r.path), ["/a.csv"]);
});

/**
 * An empty chunk from the store (a small object read whole hands an empty
 * file's bytes on as one empty chunk) stalled the snapshot's reader: its
 * pull enqueued nothing, so the stream never asked for more, and the
 * restore's promise never settled (`vc repo restore EMPTY` exited with
 * `internal error: the command stopped before it finished`; in the library,
 * a top-level await that never resolves).
 */
Deno.test("repo restore: an empty chunk of the snapshot's bytes does not stall its reading", async () => {
  const gz = new Uint8Array(
    await new Response(
      new Blob(['{"format":"vc-repo-backup","version":1}\n{"pathTag":["/a","t"]}\n'])
        .stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  const chunks = (...parts: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
      },
    });
  const empty = new Uint8Array();
  const rows = await parseSnapshotStream(
    chunks(empty, gz.subarray(0, 10), empty, empty, gz.subarray(10)),
    "b.jsonl.gz",
    "content/",
  );
  assertEquals(rows.pathTags, [["/a", "t"]]);
  await assertRejects(
    () => parseSnapshotStream(chunks(empty), "e.jsonl.gz", "content/"),
    InvalidInputError,
    "e.jsonl.gz is empty (0 bytes)",
  );
});

Deno.test("repo restore: Repository.restore of an empty file rejects, naming it", async () => {
  await using ws = await CliWorkspace.create();
  const repo = pathToFileURL(ws.path("repo")).href;
  await (await Repository.init(repo)).close();
  await Deno.writeFile(ws.path("empty.gz"), new Uint8Array());
  const uri = pathToFileURL(ws.path("empty.gz")).href;
  await assertRejects(
    () => Repository.restore(repo, uri, { force: true }),
    InvalidInputError,
    `${uri} is empty (0 bytes)`,
  );
});

/**
 * A snapshot in a tarball (`tar czf` of `backups/`), in a zip, or gzipped
 * twice (`gzip` run on the `.gz`) was refused as `line 1 is not JSON:
 * Unexpected token 'b', "backups/\x00\x00"...` (or as no gzip at all), which
 * names neither what the file is nor what to do. Each is named, with the way
 * to the snapshot in it.
 */
Deno.test("repo restore: a tarball, a zip and a snapshot gzipped twice are named for what they are", async () => {
  const gzip = async (bytes: Uint8Array<ArrayBuffer>) =>
    new Uint8Array(
      await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")))
        .arrayBuffer(),
    );
  const text = new TextEncoder();
  const snapshot = await gzip(text.encode('{"format":"vc-repo-backup","version":1}\n'));
  // A ustar header (name, then "ustar" at byte 257), the snapshot after it.
  const header = new Uint8Array(512);
  header.set(text.encode("backups/catalog-1.jsonl.gz"));
  header.set(text.encode("ustar\u000000"), 257);
  const tarball = await gzip(new Uint8Array([...header, ...snapshot]));
  const zip = new Uint8Array([...text.encode("PK\u0003\u0004"), ...new Uint8Array(60)]);
  // A snapshot whose header has "ustar" where a tar header has it is one.
  const at257 = '{"format":"vc-repo-backup","version":1,"repository":"s3://b/';
  const custard = `${at257}${"x".repeat(257 - at257.length - 1)}custard"}`;
  assertEquals(custard.slice(257, 262), "ustar");
  const rows = await parseSnapshotStream(
    new Blob([await gzip(text.encode(`${custard}\n`))]).stream(),
    "b.gz",
    "content/",
  );
  assertEquals(rows.repository, `s3://b/${"x".repeat(257 - at257.length - 1)}custard`);
  for (
    const [bytes, said] of [
      [tarball, "b.gz is a tar archive, not a vc-repo backup: extract"],
      [new Uint8Array([...header, ...snapshot]), "b.gz is a tar archive, not a vc-repo backup"],
      [zip, "b.gz is a zip archive, not a vc-repo backup: extract"],
      [await gzip(snapshot), "b.gz is gzip-compressed twice"],
    ] as const
  ) {
    await assertRejects(
      () => parseSnapshotStream(new Blob([bytes]).stream(), "b.gz", "content/"),
      InvalidInputError,
      said,
    );
  }
});
