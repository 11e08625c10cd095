/**
 * `vc repo ls --json` and `vc repo find --json` stream their array a page of
 * records at a time. A listing cut short after its first page (Ctrl-C, a
 * catalog lost between pages) left stdout as the open array with the JSON
 * error document glued to its last record (`}{"error": …}`), which no JSON
 * reader takes: `vc repo ls --json | jq` failed with a parse error instead of
 * the records read so far. Now the array is closed, stdout stays one JSON
 * document, and the exit code and the stderr line say it was cut short.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type CliIo, memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { RECORDS_PER_PAGE } from "../src/repo/record_pages.ts";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals } from "./assert.ts";

// One page and a bit: the second page is read after the first is printed.
const COUNT = RECORDS_PER_PAGE + 10;

Deno.test("repo ls/find --json interrupted after a page: stdout is still one JSON array", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_json_cut_" }));
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      // Records straight into the catalog (an add each would take minutes).
      await repo.catalog.transaction("write", async (tx) => {
        await tx.query(
          `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1)
           INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at)
           SELECT '/p/' || i || '.csv', 'published', 'content/x/' || i || '.csv', 1,
             'd41d8cd98f00b204e9800998ecf8427e', 'h', 1700000000000 + i FROM n`,
          [COUNT],
        );
        await tx.query("INSERT INTO record_tags (record_id, tag) SELECT id, 'raw' FROM records");
      });
    }
    for (const args of [["repo", "ls", "--json"], ["repo", "find", "--any", "raw", "--json"]]) {
      // Ctrl-C as the first page reaches stdout.
      const stop = new AbortController();
      const base = memoryIo({ cwd: dir, env: { HOME: dir, VC_REPO: uri }, signal: stop.signal });
      const io: CliIo = {
        ...base,
        writeStdout: async (bytes) => {
          await base.writeStdout(bytes);
          stop.abort(new DOMException("interrupted", "AbortError"));
        },
      };
      const code = await runCli(args, io);
      const what = args.join(" ");
      assertEquals(code, 130, `${what}: ${base.stderr()}`);
      assertEquals(base.stderr(), `vc: ${args.slice(0, 2).join(" ")} interrupted\n`, what);
      const records = JSON.parse(base.stdout()) as { id: number }[];
      assertEquals(records.length, RECORDS_PER_PAGE, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
