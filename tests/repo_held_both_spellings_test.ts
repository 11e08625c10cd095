/**
 * A repository that already holds two Unicode spellings of one path or tag
 * (NFC "café" and NFD "cafe" + accent): restored from a snapshot that holds
 * both (taken before vc refused twins, or of a catalog two machines wrote
 * before the spelling lock), which `restore` takes as it is. `add` and `tag`
 * then refused each spelling as a twin of the other, telling the user to
 * "use the repository's spelling" while they did: no new version of either
 * path could ever be added. A spelling the repository holds itself is no
 * new twin; a third spelling is still refused.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";
import { gzip } from "./gzip.ts";

const NFC = "/caf\u00e9.txt";
const NFD = "/cafe\u0301.txt";
const TAG_NFC = "caf\u00e9";
const TAG_NFD = "cafe\u0301";
const MD5 = "6137cde4893c59f76f005a8123d8e8e6";

function record(id: number, path: string): string {
  return JSON.stringify({
    record: {
      id,
      path,
      state: "published",
      content_key: `content/k${id}.txt`,
      size: 5,
      md5: MD5,
      origin_host: "h",
      created_at: 1,
      published_at: 2,
    },
  });
}

onSqliteAndPostgres({
  sqlite: "a repository holding both spellings of a path or tag adds to each: SQLite",
  postgres:
    "a repository holding both spellings of a path or tag adds to each: PostgreSQL (needs PostgreSQL initdb, else ignored)",
}, async (catalog) => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_held_both_spellings_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    await (await Repository.init(uri, catalog === undefined ? {} : { catalog })).close();
    const snapshot = join(dir, "both.jsonl.gz");
    await Deno.writeFile(
      snapshot,
      await gzip(
        [
          JSON.stringify({ format: "vc-repo-backup", version: 1, createdAt: "x" }),
          record(1, NFC),
          record(2, NFD),
          JSON.stringify({ recordTag: [1, TAG_NFC] }),
          JSON.stringify({ recordTag: [2, TAG_NFD] }),
          "",
        ].join("\n"),
      ),
    );
    await Repository.restore(uri, snapshot, { force: true });
    const repo = await Repository.open(uri);
    try {
      const bytes = new TextEncoder().encode("new\n");
      // Each spelling as the repository holds it: a new version of that path.
      const onNfc = await repo.add(NFC, bytes, { tags: [TAG_NFC] });
      const onNfd = await repo.add(NFD, bytes, { tags: [TAG_NFD] });
      assertEquals([onNfc.path, onNfc.tags], [NFC, [TAG_NFC]]);
      assertEquals([onNfd.path, onNfd.tags], [NFD, [TAG_NFD]]);
      await repo.tag({ id: 1 }, [TAG_NFD]);
      await repo.tag({ path: NFD }, [TAG_NFC]);
      assertEquals((await repo.get(1)).tags.toSorted(), [TAG_NFC, TAG_NFD].toSorted());
      // A path or tag held in one spelling only still refuses its twin.
      await repo.add("/cr\u00e8me.txt", bytes, { tags: ["th\u00e9"] });
      await assertRejects(() => repo.add("/cre\u0300me.txt", bytes), InvalidInputError);
      await assertRejects(
        () => repo.add("/other.txt", bytes, { tags: ["the\u0301"] }),
        InvalidInputError,
      );
    } finally {
      await repo.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
