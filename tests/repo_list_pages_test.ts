/**
 * `Repository.list` / `find` and `vc repo ls` / `vc repo find` read the
 * catalog a page at a time. Before, they read every selected record (and its
 * tags) in one query and printed nothing until all were held: `vc repo ls`
 * of a million records took 2.6 GB (4.6 GB with `--json`) and 107 s before
 * its first line. Here, records spanning several pages come out complete, in
 * order and once each, on SQLite and PostgreSQL, also when records are added
 * and removed between pages, and the CLI prints the same table and JSON.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { inertJson } from "../src/printable.ts";
import { RECORDS_PER_PAGE } from "../src/repo/record_pages.ts";
import { Repository } from "../src/repo/repository.ts";
import type { RepoRecord } from "../src/repo/records.ts";
import { assert, assertEquals } from "./assert.ts";
import { onSqliteAndPostgres } from "./pg_server.ts";

// Three pages, the last one part full.
const COUNT = RECORDS_PER_PAGE * 2 + 300;

interface Model {
  id: number;
  path: string;
  state: string;
  tags: string[];
}

// Records straight into the catalog (an add each would take minutes):
// record `i` on path /p/<i % 7>.csv, published when i % 4 == 0, tagged
// `even` when i is even and `three` when i % 3 == 0; path /p/0.csv carries
// `inherited`. Its `i` is kept as its creation time after BASE.
const BASE = 1_700_000_000_000;

async function fill(repo: Repository, from: number, count: number): Promise<Model[]> {
  const [first, end] = [BASE + from, BASE + from + count];
  const rows = await repo.catalog.transaction("write", async (tx) => {
    await tx.query(
      `WITH RECURSIVE n(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
       INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at)
       SELECT '/p/' || (i % 7) || '.csv', CASE WHEN i % 4 = 0 THEN 'published' ELSE 'unpublished' END,
         'content/x/' || i || '.csv', 1, 'd41d8cd98f00b204e9800998ecf8427e', 'h', $3 + i FROM n`,
      [from, from + count, BASE],
    );
    for (const [tag, every] of [["even", 2], ["three", 3]] as const) {
      await tx.query(
        `INSERT INTO record_tags (record_id, tag) SELECT id, $1 FROM records
         WHERE created_at >= $2 AND created_at < $3 AND (created_at - $4) % ${every} = 0`,
        [tag, first, end, BASE],
      );
    }
    return await tx.query(
      "SELECT id, created_at FROM records WHERE created_at >= $1 AND created_at < $2 ORDER BY id",
      [first, end],
    );
  });
  return rows.map((row) => {
    const i = Number(row.created_at) - BASE;
    const path = `/p/${i % 7}.csv`;
    const tags = [
      ...(i % 2 === 0 ? ["even"] : []),
      ...(i % 3 === 0 ? ["three"] : []),
      ...(i % 7 === 0 ? ["inherited"] : []),
    ];
    return {
      id: Number(row.id),
      path,
      state: i % 4 === 0 ? "published" : "unpublished",
      tags: tags.sort(),
    };
  });
}

async function collect(pages: AsyncIterable<RepoRecord[]>): Promise<number[]> {
  const ids: number[] = [];
  for await (const page of pages) {
    assert(page.length > 0 && page.length <= RECORDS_PER_PAGE, `a page of ${page.length}`);
    ids.push(...page.map((r) => r.id));
  }
  return ids;
}

const ids = (records: readonly { id: number }[]) => records.map((r) => r.id);
const has = (tag: string) => (m: Model) => m.tags.includes(tag);

async function suite(catalog: string | undefined) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_list_pages_" }));
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, catalog ? { catalog } : {});
    await repo.tag({ path: "/p/0.csv" }, ["inherited"]);
    const all = await fill(repo, 0, COUNT);

    // Complete, in order, once each, with the tags of each record.
    const listed = await repo.list();
    assertEquals(ids(listed), ids(all));
    assertEquals(
      listed.map((r) => [r.path, r.state, r.tags]),
      all.map((m) => [m.path, m.state, m.tags]),
    );
    assertEquals(await collect(repo.listPages()), ids(all));
    assertEquals(
      ids(await repo.list({ state: "published" })),
      ids(all.filter((m) => m.state === "published")),
    );
    assertEquals(ids(await repo.list({ tag: "three" })), ids(all.filter(has("three"))));
    assertEquals(ids(await repo.list({ tag: "inherited" })), ids(all.filter(has("inherited"))));
    assertEquals(
      ids(await repo.list({ path: "/p/3.csv", state: "unpublished" })),
      ids(all.filter((m) => m.path === "/p/3.csv" && m.state === "unpublished")),
    );
    // --limit: the newest N, newest first, across pages.
    const newest = ids(all).reverse();
    assertEquals(
      ids(await repo.list({ limit: RECORDS_PER_PAGE + 500 })),
      newest.slice(0, RECORDS_PER_PAGE + 500),
    );
    assertEquals(
      ids(await repo.list({ tag: "even", limit: RECORDS_PER_PAGE + 100 })),
      ids(all.filter(has("even"))).reverse().slice(0, RECORDS_PER_PAGE + 100),
    );

    // Records carrying both of two --any tags are listed once.
    assertEquals(
      ids(await repo.find({ any: ["even", "three"] })),
      ids(all.filter((m) => has("even")(m) || has("three")(m))),
    );
    assertEquals(
      ids(await repo.find({ any: ["inherited", "three"], exclude: ["even"] })),
      ids(all.filter((m) => (has("inherited")(m) || has("three")(m)) && !has("even")(m))),
    );
    assertEquals(
      ids(await repo.find({ all: ["even", "three"], published: true })),
      ids(all.filter((m) => has("even")(m) && has("three")(m) && m.state === "published")),
    );
    assertEquals(
      ids(await repo.find({ any: ["even"], limit: RECORDS_PER_PAGE + 50 })),
      ids(all.filter(has("even"))).slice(0, RECORDS_PER_PAGE + 50),
    );

    // Added and removed between pages: each record once, in order; one
    // removed before its page is not listed, one added (a larger id) is when
    // the listing is oldest first.
    let next = COUNT;
    const changes = async (
      pages: AsyncIterable<RepoRecord[]>,
      selected: () => Promise<RepoRecord[]>,
      keep: (m: Model) => boolean,
    ) => {
      const before = ids(await selected());
      const seen: number[] = [];
      let added: number[] = [];
      let unread = 0;
      for await (const page of pages) {
        const first = seen.length === 0;
        seen.push(...ids(page));
        if (!first) continue;
        // One already listed, and the last but one of the selection still to read.
        unread = before.filter((id) => !seen.includes(id)).at(-2)!;
        await repo.catalog.transaction("write", async (tx) => {
          for (const id of [page[0]!.id, unread]) {
            await tx.query("DELETE FROM records WHERE id = $1", [id]);
          }
        });
        added = ids((await fill(repo, next, 4)).filter(keep));
        next += 4;
      }
      assert(added.length > 0);
      return { seen, expected: before.filter((id) => id !== unread), added };
    };
    const listing = await changes(repo.listPages(), () => repo.list(), () => true);
    assertEquals(listing.seen, [...listing.expected, ...listing.added]);
    const finding = await changes(
      repo.findPages({ any: ["even"] }),
      () => repo.find({ any: ["even"] }),
      has("even"),
    );
    assertEquals(finding.seen, [...finding.expected, ...finding.added]);
    const size = (await repo.list()).length;
    const newestFirst = await changes(
      repo.listPages({ limit: size }),
      () => repo.list({ limit: size }),
      () => true,
    );
    assertEquals(newestFirst.seen, newestFirst.expected);

    // The CLI prints what the library lists: the same JSON document as
    // one array printed at once, and a row per record under one header.
    const env = { HOME: join(dir, "home"), VC_REPO: uri };
    const cli = async (args: string[]) => {
      const io = memoryIo({ cwd: dir, env });
      const code = await runCli(args, io);
      assertEquals(code, 0, io.stderr());
      return io.stdout();
    };
    const now = await repo.list();
    assertEquals(await cli(["repo", "ls", "--json"]), inertJson(now, 2) + "\n");
    const lines = (await cli(["repo", "ls"])).trimEnd().split("\n");
    assertEquals(lines.length, now.length + 1);
    assert(lines[0]!.startsWith("ID"), lines[0]);
    assertEquals(lines.slice(1).map((l) => Number(l.split(/ +/)[0])), ids(now));
    const found = await repo.find({ any: ["even", "three"], limit: RECORDS_PER_PAGE + 1 });
    assertEquals(
      await cli([
        "repo",
        "find",
        "--any",
        "even,three",
        "--limit",
        String(RECORDS_PER_PAGE + 1),
        "--json",
      ]),
      inertJson(found, 2) + "\n",
    );
    // Printed as read: a record added once the first rows are out is
    // listed at the end (all held first, nothing was printed before the
    // listing was over).
    const io = memoryIo({ cwd: dir, env });
    let late: number[] = [];
    const streamed = {
      ...io,
      writeStdout: async (bytes: Uint8Array) => {
        if (late.length === 0) late = ids(await fill(repo, next, 1));
        await io.writeStdout(bytes);
      },
    };
    assertEquals(await runCli(["repo", "ls", "--json"], streamed), 0, io.stderr());
    assertEquals(ids(JSON.parse(io.stdout())), [...ids(now), ...late]);
    // Ctrl-C during the listing stops it at the page being printed.
    const stop = new AbortController();
    const stopped = memoryIo({ cwd: dir, env, signal: stop.signal });
    const stopping = {
      ...stopped,
      writeStdout: (bytes: Uint8Array) => {
        stop.abort(new DOMException("interrupted", "AbortError"));
        return stopped.writeStdout(bytes);
      },
    };
    assertEquals(await runCli(["repo", "ls"], stopping), 130);
    assertEquals(stopped.stdout().trimEnd().split("\n").length, RECORDS_PER_PAGE + 1);
    assertEquals(await cli(["repo", "find", "--any", "nothing", "--json"]), "[]\n");
    assertEquals(
      await cli(["repo", "ls", "--tag", "nothing"]),
      "ID  STATE  SIZE  PATH  TAGS  CLAIM\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

onSqliteAndPostgres({
  sqlite: "repo list/find: records of several pages, once each, in order (SQLite)",
  postgres: "repo list/find: records of several pages, once each, in order (PostgreSQL)",
}, suite);
