/**
 * `repo restore` of hostile snapshots: a backup is input from outside, and
 * the content keys it restores are deleted later by `purge` and `gc`. Every
 * shape here must be refused with a message naming the snapshot and line,
 * leave the catalog as it was, and never let a later purge or gc delete the
 * repository's marker or its backups.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError, IsDirectoryError, NotFoundError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { openStore } from "../src/store/open.ts";
import { gunzip, gzip } from "./gzip.ts";

const HEADER = JSON.stringify({ format: "vc-repo-backup", version: 1, createdAt: "x" });
const MD5 = "6137cde4893c59f76f005a8123d8e8e6";

function record(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    record: {
      id: 7,
      path: "/m.txt",
      state: "expired",
      content_key: "content/x.txt",
      size: 5,
      md5: MD5,
      origin_host: "h",
      created_at: 1,
      expired_at: 2,
      ...fields,
    },
  });
}

async function withRepo(fn: (dir: string, uri: string, repo: Repository) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_hostile_" });
  const uri = pathToFileURL(join(dir, "store")).href;
  const repo = await Repository.init(uri);
  try {
    await fn(dir, uri, repo);
  } finally {
    await repo.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const HOSTILE: [string, string][] = [
  ["content key naming the marker", record({ content_key: ".vc-repo.json" })],
  ["content key naming a backup", record({ content_key: "backups/catalog-1.jsonl.gz" })],
  ["content key escaping the prefix", record({ content_key: "content/../.vc-repo.json" })],
  ["path with ..", record({ path: "/../../etc/passwd" })],
  ["unknown state", record({ state: "bogus" })],
  ["missing id", record({ id: undefined })],
  ["string size", record({ size: "5" })],
  ["negative size", record({ size: -1 })],
  ["md5 not hex", record({ md5: "x" })],
  ["unknown field", record({ __proto__x: 1 })],
  ["duplicate id", `${record()}\n${record({ content_key: "content/y.txt" })}`],
  ["tag of a record not in the snapshot", JSON.stringify({ recordTag: [99, "t"] })],
  ["tag with a space", `${record()}\n${JSON.stringify({ recordTag: [7, "a b"] })}`],
  ["path tag not a pair", JSON.stringify({ pathTag: [{ a: 1 }, "t"] })],
  ["huge line", record({ origin_host: "h".repeat(100_000) })],
  ["array line", "[1,2]"],
  // A state without its time, or a time of another state (a snapshot edited by hand).
  ["expired record without expired_at", record({ expired_at: null })],
  ["published record without published_at", record({ state: "published", expired_at: null })],
  ["published record with expired_at", record({ state: "published", published_at: 2 })],
  ["unpublished record with a publish time", record({ state: "unpublished", published_at: 2 })],
  ["purged record without purged_at", record({ state: "purged" })],
  ["expired record with purged_at", record({ purged_at: 3 })],
  // Half a claim, or a claim on a record that is not published.
  [
    "claim_until without a holder",
    record({ state: "published", published_at: 2, expired_at: null, claim_until: 9e12 }),
  ],
  [
    "holder without claim_until",
    record({ state: "published", published_at: 2, expired_at: null, claimed_by: "w" }),
  ],
  ["claim on an expired record", record({ claimed_by: "w", claim_until: 9e12 })],
];

for (const [name, line] of HOSTILE) {
  Deno.test(`repo restore refuses a snapshot with a ${name}, keeping the catalog`, async () => {
    await withRepo(async (dir, uri, repo) => {
      await Deno.writeTextFile(join(dir, "a.txt"), "data\n");
      const kept = await repo.add("/kept.txt", join(dir, "a.txt"));
      const file = join(dir, "bad.jsonl.gz");
      await Deno.writeFile(file, await gzip(`${HEADER}\n${line}\n`));
      const error = await assertRejects(
        () => Repository.restore(uri, file, { force: true }),
        InvalidInputError,
      );
      assert(error.message.includes(file), error.message);
      assert(/line \d|not a vc-repo backup/.test(error.message), error.message);
      assertEquals((await repo.list()).map((r) => r.id), [kept.id]);
    });
  });
}

Deno.test("repo restore refuses a header whose repository id is not a string", async () => {
  await withRepo(async (dir, uri) => {
    const file = join(dir, "bad.jsonl.gz");
    for (const field of ["repositoryId", "repository"]) {
      const header = JSON.stringify({ format: "vc-repo-backup", version: 1, [field]: 42 });
      await Deno.writeFile(file, await gzip(`${header}\n`));
      await assertRejects(
        () => Repository.restore(uri, file, { force: true }),
        InvalidInputError,
        `line 1: header field ${field} 42 is not a string`,
      );
    }
  });
});

Deno.test("repo restore refuses a snapshot whose first line is not the header", async () => {
  await withRepo(async (dir, uri) => {
    const file = join(dir, "bad.jsonl.gz");
    await Deno.writeFile(file, await gzip(`${record()}\n${HEADER}\n`));
    await assertRejects(() => Repository.restore(uri, file), InvalidInputError, "header");
  });
});

Deno.test("a record restored by hand outside content/ is never deleted by purge or gc", async () => {
  await withRepo(async (dir, uri, repo) => {
    // A catalog edited by hand (the snapshot path now refuses this).
    await repo.catalog.transaction("write", (tx) =>
      tx.query(
        `INSERT INTO records (id, path, state, content_key, size, md5, origin_host, created_at, expired_at)
         VALUES (50, '/m', 'expired', '.vc-repo.json', 5, $1, 'h', 1, 2)`,
        [MD5],
      ));
    await assertRejects(() => repo.purge(50), Error, "not under content/");
    await repo.gc({ retentionMs: 0, graceMs: 0 });
    const marker = await Deno.stat(join(dir, "store", ".vc-repo.json"));
    assert(marker.isFile);
    assertEquals(
      await Repository.open(uri).then(async (r) => {
        const n = (await r.list()).length;
        await r.close();
        return n;
      }),
      1,
    );
  });
});

Deno.test("a marker with an empty or escaping content prefix is refused", async () => {
  await withRepo(async (dir, uri) => {
    const file = join(dir, "store", ".vc-repo.json");
    const marker = JSON.parse(await Deno.readTextFile(file));
    for (const prefix of ["", "../", "backups/", ".vc/"]) {
      await Deno.writeTextFile(file, JSON.stringify({ ...marker, contentPrefix: prefix }));
      await assertRejects(
        () => Repository.open(uri),
        InvalidInputError,
        "has content prefix",
      );
    }
  });
});

Deno.test("repo restore refuses a gzip bomb at its first bad line, without inflating it", async () => {
  await using s = await tempSnapshotDir();
  // ~200 MB of one repeated tag line, compressed to well under 1 MB.
  const line = `${JSON.stringify({ pathTag: ["/a", "t"] })}\n`;
  const chunk = new TextEncoder().encode(line.repeat(100_000));
  let sent = 0;
  // Streamed into the compressor, so the test itself never holds 200 MB.
  const body = new ReadableStream<BufferSource>({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode(`${HEADER}\n`));
      if (sent++ < 80) controller.enqueue(chunk);
      else controller.close();
    },
  });
  await Deno.writeFile(s.file, body.pipeThrough(new CompressionStream("gzip")));
  assert((await Deno.stat(s.file)).size < 2_000_000);
  await assertRejects(
    () => Repository.restore(s.uri, s.file, { force: true }),
    InvalidInputError,
    "line 3",
  );
});

Deno.test("repo restore refuses a line that never ends", async () => {
  await using s = await tempSnapshotDir();
  await Deno.writeFile(s.file, await gzip(`${HEADER}\n${"x".repeat(1_000_000)}`));
  await assertRejects(
    () => Repository.restore(s.uri, s.file, { force: true }),
    InvalidInputError,
    "line 2: is over",
  );
});

async function tempSnapshotDir() {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_hostile_" });
  const uri = pathToFileURL(join(dir, "store")).href;
  await (await Repository.init(uri)).close();
  return {
    uri,
    file: join(dir, "bomb.jsonl.gz"),
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("repo backup never overwrites: the marker, content, an earlier backup stay intact", async () => {
  await withRepo(async (dir, uri, repo) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "data\n");
    const r = await repo.add("/a.txt", join(dir, "a.txt"));
    const store = join(dir, "store");
    const marker = await Deno.readTextFile(join(store, ".vc-repo.json"));
    await assertRejects(
      () => repo.backup(`${uri}/.vc-repo.json`),
      InvalidInputError,
      "already exists",
    );
    assertEquals(await Deno.readTextFile(join(store, ".vc-repo.json")), marker);
    await assertRejects(
      () => repo.backup(join(store, r.contentKey)),
      InvalidInputError,
      "under the repository's content",
    );
    await assertRejects(
      () => repo.backup(join(store, "content", "new.jsonl.gz")),
      InvalidInputError,
      "gc collects",
    );
    assertEquals(await Deno.readTextFile(join(store, r.contentKey)), "data\n");
    const elsewhere = join(dir, "b.jsonl.gz");
    await repo.backup(elsewhere);
    const first = await Deno.readFile(elsewhere);
    await assertRejects(() => repo.backup(elsewhere), InvalidInputError, "already exists");
    assertEquals(await Deno.readFile(elsewhere), first);
  });
});

Deno.test("repo restore refuses a backup cut short, at a line's end or inside the gzip stream", async () => {
  await withRepo(async (dir, uri, repo) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "data\n");
    for (let i = 0; i < 4; i++) await repo.add(`/r/${i}.txt`, join(dir, "a.txt"));
    const backup = join(dir, "full.jsonl.gz");
    const made = await repo.backup(pathToFileURL(backup).href);
    assertEquals(made.counts.records, 4);
    const full = await Deno.readFile(backup);
    const lines = (await gunzip(full)).trimEnd().split("\n");
    const ids = async () => (await repo.list()).map((r) => r.id);
    const before = await ids();
    const cases: [string, Uint8Array, string][] = [
      // Whole lines, the last one (the count) gone with two records.
      ["lines.jsonl.gz", await gzip(lines.slice(0, 3).join("\n") + "\n"), "is cut short"],
      // Every record, but not the count.
      ["no-end.jsonl.gz", await gzip(lines.slice(0, -1).join("\n") + "\n"), "is cut short"],
      // The count of another snapshot.
      [
        "wrong-count.jsonl.gz",
        await gzip([...lines.slice(0, 3), lines.at(-1)!].join("\n") + "\n"),
        "it is damaged",
      ],
      // A line after the count.
      ["after-end.jsonl.gz", await gzip([...lines, lines[1]!].join("\n") + "\n"), "last line"],
      // The compressed bytes cut off.
      ["bytes.jsonl.gz", full.subarray(0, full.length - 30), "cut short or damaged"],
    ];
    for (const [name, bytes, why] of cases) {
      const file = join(dir, name);
      await Deno.writeFile(file, bytes);
      const e = await assertRejects(
        () => Repository.restore(uri, file, { force: true }),
        InvalidInputError,
      );
      assert(e.message.includes(file) && e.message.includes(why), `${name}: ${e.message}`);
      assertEquals(await ids(), before, `${name}: the catalog changed`);
    }
    // The whole backup restores every record.
    const restored = await Repository.restore(uri, backup, { force: true });
    assertEquals(restored.records, 4);
    assertEquals(await ids(), before);
  });
});

Deno.test("repo restore --force counts the records it replaced and those it dropped", async () => {
  await withRepo(async (_dir, uri, repo) => {
    const data = new TextEncoder().encode("x");
    await repo.add("/a.txt", data);
    const { uri: snapshot } = await repo.backup();
    await repo.add("/b.txt", data);
    await repo.add("/c.txt", data);
    const over = await Repository.restore(uri, snapshot, { force: true });
    assertEquals([over.records, over.replaced, over.dropped], [1, 3, 2]);
    // Into the catalog it left: all replaced, none dropped.
    const again = await Repository.restore(uri, snapshot, { force: true });
    assertEquals([again.replaced, again.dropped], [1, 0]);
  });
});

Deno.test("repo restore of a directory says it is one, and that the snapshot file in it is expected", async () => {
  await withRepo(async (dir, uri, repo) => {
    const { uri: snapshot } = await repo.backup(join(dir, "backups", "catalog.jsonl.gz"));
    await Deno.mkdir(join(dir, "empty"));
    // A local directory, holding the snapshot or empty, and an S3 prefix holding objects.
    const bucket = new MemoryStore();
    await bucket.put("backups/catalog.jsonl.gz", new Uint8Array([1]));
    const open = (u: string) =>
      u.startsWith("s3://") ? Promise.resolve(bucket) as Promise<MemoryStore> : openStore(u);
    for (const given of [join(dir, "backups"), join(dir, "empty"), "s3://b/backups"]) {
      const error = await assertRejects(
        () => Repository.restore(uri, given, { openStore: open }),
        InvalidInputError,
      );
      assert(error.message.includes(`${given} is a directory, not a file`), error.message);
      assert(error.message.includes("the snapshot file in it"), error.message);
    }
    // A missing name is still not found, and the snapshot itself restores.
    await assertRejects(
      () => Repository.restore(uri, join(dir, "backups", "nope.gz")),
      NotFoundError,
      "not found",
    );
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).records, 0);
  });
});

Deno.test("FsStore.get of a key naming a directory says it is a directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_restore_hostile_" });
  try {
    await using store = new FsStore(dir);
    await store.put("d/x", new Uint8Array([1]));
    await assertRejects(() => store.get("d"), IsDirectoryError, "d in file://");
    await assertRejects(() => store.get("missing"), NotFoundError, "missing not found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
