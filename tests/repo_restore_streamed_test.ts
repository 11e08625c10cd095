/**
 * `vc repo restore` reads its snapshot as a stream: checked as it downloads
 * (an answer that is no snapshot is refused after its first bytes) and read
 * again from a temp copy as its rows are written, never held in memory
 * whole. Before, the whole answer was read into memory first: a hostile or
 * simply huge 4 GiB answer took 8.4 GB of RAM.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { scanSnapshotStream } from "../src/repo/backup_lines.ts";
import { SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { gzip } from "./gzip.ts";

const MiB = 1024 * 1024;

/**
 * Opens stores as vc does, but the snapshot store at `root` answers every
 * GET with `size` bytes made as they are read from `chunk` (64 KiB at a
 * time), counting how many were read.
 */
function answering(root: string, size: number, chunk: (offset: number) => Uint8Array) {
  const read = { bytes: 0 };
  const open = async (uri: string, options?: Parameters<typeof openStore>[1]) => {
    if (uri !== root) return await openStore(uri, options);
    // The store vc would open, but for its GET.
    const real = await openStore(uri, options);
    return Object.assign(Object.create(real) as ObjectStore, {
      get: () => {
        let offset = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= size) return controller.close();
            const bytes = chunk(offset).subarray(0, size - offset);
            offset += bytes.length;
            read.bytes += bytes.length;
            controller.enqueue(bytes);
          },
        }, { highWaterMark: 0 });
        return Promise.resolve({
          body,
          info: { key: "b.gz", size, etag: '"e"', lastModified: new Date(0) },
        });
      },
    });
  };
  return { open, read };
}

// The entries restores made in TMPDIR that are still there. Each test gives
// its restores a TMPDIR of its own: in the shared one, other test processes'
// restores come and go meanwhile.
async function restoreScratch(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(Deno.env.get("TMPDIR")!)) {
    if (entry.name.startsWith("vc-restore-")) names.push(entry.name);
  }
  return names;
}

// Runs `fn` with TMPDIR set to a new directory under `dir`.
async function withOwnTmpdir(dir: string, fn: () => Promise<void>): Promise<void> {
  const tmp = join(dir, "tmp");
  await Deno.mkdir(tmp);
  await withProcessEnv({ TMPDIR: tmp }, fn);
}

Deno.test("repo restore: a huge answer that is no snapshot is refused after its first bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_streamed_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
    }
    const root = pathToFileURL(join(dir, "snapshots")).href;
    const x = new Uint8Array(64 * 1024).fill(0x78); // "xxx…", no gzip
    const { open, read } = answering(root, 64 * MiB, () => x);
    await withOwnTmpdir(dir, async () => {
      const before = await restoreScratch();
      await assertRejects(
        () => Repository.restore(uri, `${root}/b.gz`, { openStore: open, force: true }),
        InvalidInputError,
        `${root}/b.gz is not a gzip-compressed vc-repo backup`,
      );
      // A few chunks were read, not the 64 MiB (which was read into memory whole).
      assert(read.bytes <= MiB, `read ${read.bytes} bytes of a 64 MiB answer before refusing it`);
      // The catalog is as it was, and the temp copy is gone.
      await using repo = await Repository.open(uri);
      assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
      assertEquals(await restoreScratch(), before);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a download that breaks off is its error, not a damaged snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_streamed_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
    }
    const gz = await gzip(SNAPSHOT_HEADER + "\n" + snapshotRecord() + "\n");
    const root = pathToFileURL(join(dir, "snapshots")).href;
    const { open } = answering(root, gz.length + 1, (offset) => {
      if (offset > 0) throw new Error("connection reset by peer");
      return gz;
    });
    await assertRejects(
      () => Repository.restore(uri, `${root}/b.gz`, { openStore: open, force: true }),
      Error,
      "connection reset by peer",
    );
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot of many records is written in batches, all of it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_streamed_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/old.txt", new TextEncoder().encode("a"));
    }
    // More rows than one batch, records and tags interleaved across batches.
    const n = 2500;
    const lines = [SNAPSHOT_HEADER.replace('"version":1', '"version":2')];
    for (let id = 1; id <= n; id++) {
      lines.push(snapshotRecord({
        id,
        path: `/r/${id}.csv`,
        content_key: `content/${id}.csv`,
      }));
    }
    for (let id = 1; id <= n; id++) lines.push(JSON.stringify({ recordTag: [id, "t"] }));
    lines.push(JSON.stringify({ pathTag: ["/r/1.csv", "p"] }));
    lines.push(JSON.stringify({ end: { records: n, recordTags: n, pathTags: 1 } }));
    const snapshot = join(dir, "b.jsonl.gz");
    await Deno.writeFile(snapshot, await gzip(lines.join("\n") + "\n"));
    await withOwnTmpdir(dir, async () => {
      const before = await restoreScratch();
      let checked = 0;
      let written = 0;
      const counts = await Repository.restore(uri, snapshot, {
        force: true,
        onProgress: (p) => {
          if (p.current === "checking the snapshot") checked = p.bytes ?? checked;
          if (p.current === "writing the catalog") written = p.done ?? written;
        },
      });
      assertEquals(counts, {
        records: n,
        recordTags: n,
        pathTags: 1,
        replaced: 1,
        dropped: 0,
        keptPurged: 0,
        missingContent: n, // generated records, no content
        unreferencedContent: 1, // /old.txt's
      });
      assertEquals(checked, (await Deno.stat(snapshot)).size);
      assertEquals(written, 2 * n + 1);
      await using repo = await Repository.open(uri);
      const found = await repo.find({ all: ["t"], limit: 10 * n });
      assertEquals(found.length, n);
      assertEquals(await restoreScratch(), before);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot's rows are handed on in batches, never all held", async () => {
  const n = 20_000;
  const lines = [SNAPSHOT_HEADER];
  for (let id = 1; id <= n; id++) lines.push(JSON.stringify({ pathTag: [`/p/${id}`, "t"] }));
  const gz = await gzip(lines.join("\n") + "\n");
  let largest = 0;
  let rows = 0;
  const summary = await scanSnapshotStream(
    new Blob([gz]).stream(),
    "b.jsonl.gz",
    "content/",
    (batch) => {
      largest = Math.max(largest, batch.pathTags.length);
      rows += batch.pathTags.length;
    },
  );
  assertEquals([rows, summary.counts.pathTags], [n, n]);
  assert(largest < n / 4, `a batch held ${largest} of ${n} rows`);
});
