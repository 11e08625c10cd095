// S3 keys tell letter case apart; a directory store's files do not where
// its file system folds names (macOS, Windows, an SMB share): `data.csv`
// beside `Data.csv` is one file there. A put of the second replaced the
// first's object (its `head` then served the other's bytes), a put below
// `D/` filed the key under `d/`, and a delete of `data.csv` removed
// `Data.csv`. Such a write is refused as a key conflict naming both
// spellings, and such a delete deletes nothing.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { isSpellingTwin } from "../src/store/fs_layout.ts";
import { InvalidInputError, KeyConflictError } from "../src/errors.ts";
import { namesFoldIn, withNameProbe } from "../src/name_probe.ts";

Deno.test("isSpellingTwin tells another key's spelling from a key's own file", () => {
  assert(isSpellingTwin("data.csv", "Data.csv"));
  assert(isSpellingTwin("\u017f.csv", "s.csv")); // the long s: one name where names fold
  assert(!isSpellingTwin("data.csv", "data.csv"));
  // HFS+ stores names decomposed: its spelling of a key's own file.
  assert(!isSpellingTwin("caf\u00e9.csv", "cafe\u0301.csv"));
  // A link's target, or any other name: no twin.
  assert(!isSpellingTwin("data.csv", "elsewhere.csv"));
});

/** `path` as a file system that folds letter case resolves it: each component spelled as the entry it finds. */
function foldedPath(path: string): string {
  let at = "";
  for (const part of path.split("/").slice(1)) {
    let names: string[] = [];
    try {
      names = [...Deno.readDirSync(at === "" ? "/" : at)].map((e) => e.name);
    } catch {
      // Missing: spelled as given.
    }
    at += `/${names.find((n) => n.toLowerCase() === part.toLowerCase()) ?? part}`;
  }
  return at;
}

/** Runs `fn` with `Deno.realPath` and the name probe answering as such a file system does. */
async function onFoldingFileSystem(fn: () => Promise<void>): Promise<void> {
  const realPath = Deno.realPath;
  (Deno as { realPath: typeof Deno.realPath }).realPath = (p) => realPath(foldedPath(String(p)));
  try {
    await withNameProbe({ lstat: (p) => Deno.lstatSync(foldedPath(p)) }, fn);
  } finally {
    (Deno as { realPath: typeof Deno.realPath }).realPath = realPath;
  }
}

async function caseTwinsRefused(store: FsStore) {
  await store.put("d/Data.csv", new TextEncoder().encode("upper"));
  await assertRejects(
    () => store.put("d/data.csv", new TextEncoder().encode("lower")),
    KeyConflictError,
    "d/Data.csv is an object there",
  );
  await assertRejects(
    () => store.copy("d/Data.csv", "d/DATA.csv"),
    KeyConflictError,
    "d/Data.csv is an object there",
  );
  await assertRejects(
    () => store.put("D/x.csv", new TextEncoder().encode("x")),
    KeyConflictError,
    "D/ is the directory d/ of other keys",
  );
  await store.delete(["d/data.csv"]);
  assertEquals(await Array.fromAsync(store.list(""), (o) => o.key), ["d/Data.csv"]);
  assertEquals((await store.head("d/Data.csv"))?.size, 5);
  // Its own spelling is written and deleted as ever.
  await store.put("d/Data.csv", new TextEncoder().encode("again"));
  await store.delete(["d/Data.csv"]);
  assertEquals(await Array.fromAsync(store.list(""), (o) => o.key), []);
}

Deno.test("FsStore where names fold (simulated): a key in another letter case than an object's is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-case-twin-" });
  try {
    await onFoldingFileSystem(() => caseTwinsRefused(new FsStore(dir)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const probed = Deno.makeTempDirSync({ prefix: "vc-case-twin-probe-" });
const folds = namesFoldIn(probed);
Deno.removeSync(probed, { recursive: true });

Deno.test({
  name: "FsStore where names fold: a key in another letter case than an object's is refused",
  ignore: !folds, // needs a temp dir whose file system folds names (macOS, Windows)
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-case-twin-" });
    try {
      await caseTwinsRefused(new FsStore(dir));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "FsStore where names do not fold: a link to another spelling's directory is refused as a link",
  // Needs both spellings side by side, and links (Windows: a privilege).
  ignore: folds || Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-case-twin-link-" });
    try {
      await Deno.mkdir(`${dir}/Data`);
      await Deno.symlink("Data", `${dir}/data`);
      const store = new FsStore(dir);
      // No folding here: `data` is a link, and said as one.
      await assertRejects(
        () => store.put("data/x.csv", new TextEncoder().encode("x")),
        InvalidInputError,
        "is a symbolic link",
      );
      await store.put("Data/x.csv", new TextEncoder().encode("x"));
      assertEquals(await Array.fromAsync(store.list(""), (o) => o.key), ["Data/x.csv"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
