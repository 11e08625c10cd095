/**
 * `vc add` and `vc update` list the path's versions under both of its name
 * prefixes before they hash or upload anything: one LIST per 1000 keys, so
 * seconds for a path with tens of thousands of versions (a nightly job's
 * years of them). The bar said `hashing` through all of it, for a file of a
 * few bytes. They report the keys listed so far (`onListProgress` of `add`
 * and `update`, as `onProgress` of `versions`), drawn as the `listing` step
 * before the hashing.
 */
import { join } from "node:path";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const VERSIONS = 30;

Deno.test("add and update report the keys listed before the upload, from 0 to every key", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "t.csv", "first\n");
  const added: number[] = [];
  await ws.vc.add("/d/t.csv", file, { onListProgress: ({ listed }) => added.push(listed) });
  assertEquals(added, [0], "a new path's listing finds nothing, and says so at once");
  for (let i = 1; i < VERSIONS; i++) {
    await Deno.writeTextFile(join(ws.bucket, "d", `t.1.0.${i}.csv`), `v${i}\n`);
  }
  await Deno.writeTextFile(join(ws.bucket, "d", "t.notes.txt"), "not a version\n");
  await writeFile(ws.dir, "t.csv", "next\n");
  const listed: number[] = [];
  const hashedAfter: number[] = [];
  const r = await ws.vc.update("/d/t.csv", file, { patch: true }, {
    onListProgress: (p) => listed.push(p.listed),
    onHashProgress: () => hashedAfter.push(listed.length),
  });
  assertEquals(r.to, `1.0.${VERSIONS}`);
  assertEquals(listed[0], 0);
  assertEquals(listed.at(-1), VERSIONS + 1, "every key under the prefix counts, a version or not");
  assert(listed.every((n, i) => i === 0 || n > listed[i - 1]!), "the count only grows");
  assert(hashedAfter.length > 0 && hashedAfter[0] === listed.length, "listed before hashed");
});

Deno.test("vc update draws the listing before the hashing on a terminal", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "t.csv", "first\n");
  await ws.vc.add("/t.csv", file);
  await writeFile(ws.dir, "t.csv", "next\n");
  const io = memoryIo({
    env: { HOME: join(ws.dir, "home"), VC_CACHE_DIR: join(ws.dir, "cache"), TERM: "xterm" },
    cwd: ws.dir,
    stderrIsTerminal: true,
  });
  const code = await runCli(
    ["update", "/t.csv", file, "--patch", "--manifest", ws.manifest, "--bucket", ws.bucket],
    io,
  );
  const stderr = io.stderr();
  assertEquals(code, 0, stderr);
  const listing = stderr.search(/upload \/t\.csv +\d+ +listing/);
  assert(listing >= 0, `the listing is drawn: ${JSON.stringify(stderr)}`);
  assert(
    stderr.indexOf("hashing", listing) > listing,
    `then the hashing: ${JSON.stringify(stderr)}`,
  );
});
