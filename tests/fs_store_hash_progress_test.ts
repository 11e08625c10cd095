/**
 * A large file dropped by hand into a `file://` directory has no sidecar:
 * the store hashes it for its ETag before it serves a byte (seconds a GB),
 * and `vc cache get` of it into a fresh cache drew nothing until the
 * download bar appeared. The store tells that hashing (`FsStore`'s
 * `onHashProgress`), and the cache passes it to the reading call
 * (`onHashProgress`) and to `vc cache get`'s bar as a `hashing` step.
 */
import { join, toFileUrl } from "../src/path.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { InvalidInputError } from "../src/errors.ts";
import { type FsHashProgress, FsStore } from "../src/store/fs.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir } from "./versioned_helpers.ts";

const SIZE = 9 * 1024 * 1024 + 3;

/** A file written as a user would drop it in (no sidecar), an hour old. */
async function dropFile(path: string, size = SIZE): Promise<void> {
  await Deno.writeFile(path, new Uint8Array(size).fill(7));
  const hourAgo = new Date(Date.now() - 3_600_000);
  await Deno.utime(path, hourAgo, hourAgo);
}

function assertFromZeroToTotal(seen: Array<{ bytes: number; total: number }>, total: number) {
  const shown = JSON.stringify(seen);
  assert(seen.length >= 2, `told more than once: ${shown}`);
  assertEquals(seen[0], { bytes: 0, total }, shown);
  assert(seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1]!.bytes), `never back: ${shown}`);
  assert(seen.every((p) => p.total === total), shown);
  assertEquals(seen.at(-1), { bytes: total, total }, shown);
}

Deno.test("FsStore tells how far it hashes a file with no sidecar", async () => {
  await using dir = await tempDir();
  await dropFile(join(dir.path, "big.bin"));
  const seen: FsHashProgress[] = [];
  await using store = new FsStore(dir.path, {
    sidecars: "read-only",
    onHashProgress: (p) => void seen.push({ ...p }),
  });
  const info = await store.head("big.bin");
  assertEquals(info?.size, SIZE);
  assert(seen.every((p) => p.key === "big.bin"), JSON.stringify(seen));
  assertFromZeroToTotal(seen.map(({ bytes, total }) => ({ bytes, total })), SIZE);
});

Deno.test("FsStore refuses an onHashProgress that is not a function, naming it", () => {
  const e = assertThrows(
    () => new FsStore("/tmp", { onHashProgress: 1 as unknown as () => void }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "onHashProgress");
});

Deno.test("cache() of a file:// object tells its hashing before its download", async () => {
  await using dir = await tempDir();
  const src = join(dir.path, "src");
  await Deno.mkdir(src);
  await dropFile(join(src, "big.bin"));
  await using cache = new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false });
  const events: Array<{ kind: string; bytes: number; total: number }> = [];
  const uri = toFileUrl(join(src, "big.bin")).href;
  const local = await cache.cache(uri, {
    onHashProgress: (p) => void events.push({ kind: "hash", ...p }),
    onProgress: (p) => void events.push({ kind: "download", ...p }),
  });
  assertEquals((await Deno.stat(local)).size, SIZE);
  const hashing = events.filter((e) => e.kind === "hash").map(({ bytes, total }) => ({
    bytes,
    total,
  }));
  assertFromZeroToTotal(hashing, SIZE);
  const firstDownload = events.findIndex((e) => e.kind === "download");
  assert(firstDownload > 0, JSON.stringify(events));
  assert(events.slice(firstDownload).every((e) => e.kind === "download"), "hashing comes first");
  assertEquals(events.at(-1), { kind: "download", bytes: SIZE, total: SIZE });
  await assertRejects(
    () => cache.cache(uri, { onHashProgress: "no" as unknown as () => void }),
    InvalidInputError,
    "onHashProgress",
  );
});

Deno.test("vc cache get of a file:// object draws its hashing on a terminal", async () => {
  await using ws = await CliWorkspace.create();
  const path = join(ws.dir, "big.bin");
  await dropFile(path);
  const io = memoryIo({ env: { ...ws.env, TERM: "xterm" }, cwd: ws.dir, stderrIsTerminal: true });
  assertEquals(await runCli(["cache", "get", toFileUrl(path).href], io), 0, io.stderr());
  assertStringIncludes(io.stderr(), "hashing");
  assertStringIncludes(io.stderr(), "downloading");
});
