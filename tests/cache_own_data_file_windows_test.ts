// `ownDataFile` (cache maintenance giving a hard-linked data file a copy of
// its own) read the file and renamed the copy over it while its own handle
// on it was still open. Where Windows' renames lack POSIX semantics (FAT, a
// network share) a file open anywhere cannot be replaced, so the repair
// failed there on every run. The LOGIC only, run on Linux: renames onto the
// file fail like Windows' while a handle this process opened on it is open.
import { assert, assertEquals } from "./assert.ts";
import { ownDataFile } from "../src/cache/journal_repair.ts";
import { writeEntryRecord } from "../src/cache/entry_records.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withTempDir } from "./versioned_helpers.ts";

/** Runs `fn` with renames onto `target` refused while a handle opened on it is open. */
async function withNoReplaceWhileOpen(target: string, fn: () => Promise<void>): Promise<void> {
  const { open, rename, renameSync } = Deno;
  let handles = 0;
  const refusal = () => new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
  const refuses = (to: string | URL) => String(to) === target && handles > 0;
  Deno.open = async (path, options) => {
    const file = await open(path, options);
    if (String(path) !== target) return file;
    handles++;
    let closed = false;
    const closing = () => {
      if (!closed) handles--;
      closed = true;
    };
    const [close, dispose] = [file.close.bind(file), file[Symbol.dispose].bind(file)];
    file.close = () => (closing(), close());
    file[Symbol.dispose] = () => (closing(), dispose());
    return file;
  };
  Deno.rename = (from, to) => (refuses(to) ? Promise.reject(refusal()) : rename(from, to));
  Deno.renameSync = (from, to) => {
    if (refuses(to)) throw refusal();
    renameSync(from, to);
  };
  try {
    await fn();
  } finally {
    Object.assign(Deno, { open, rename, renameSync });
  }
}

Deno.test("ownDataFile (Windows logic): the data file is closed before the copy replaces it", async () => {
  await withTempDir(async (dir) => {
    const record = recordPathsOf(`${dir}/c`, `${dir}/c/s3/b/x`);
    writeEntryRecord(record, { uri: "s3://b/x", etag: "e", size: 1, validatedAt: 0 });
    await Deno.writeTextFile(`${dir}/x`, "x");
    await Deno.mkdir(`${dir}/c/s3/b`, { recursive: true });
    await Deno.link(`${dir}/x`, record.dataPath);
    const entry = { path: record.dataPath, record, etag: "e", size: 1 };
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      await withNoReplaceWhileOpen(record.dataPath, async () => {
        assert(await ownDataFile(`${dir}/c`, entry, () => Promise.resolve(undefined)));
      });
    });
    assertEquals((await Deno.stat(`${dir}/x`)).nlink, 1, "the other name is alone again");
    assertEquals(await Deno.readTextFile(record.dataPath), "x");
  }, "vc-own-data-");
});
