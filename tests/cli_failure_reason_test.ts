/**
 * A command that exits 1 says why in every output mode: the reason on
 * stderr also with `--quiet` (which drops only what is optional), and with
 * `--json` a JSON document on stdout, the shared error document where the
 * command has no report of its own.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

async function vc(args: string[], cwd: string, env: Record<string, string> = {}) {
  const io = memoryIo({ cwd, env: { HOME: join(cwd, "home"), ...env } });
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

Deno.test("repo current with no published record: the reason also with --quiet", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_fail_reason_" }));
  try {
    const env = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    assertEquals((await vc(["repo", "init"], dir, env)).code, 0);
    const quiet = await vc(["repo", "current", "/raw/none.csv", "--quiet"], dir, env);
    assertEquals([quiet.code, quiet.stdout], [1, ""]);
    assertStringIncludes(quiet.stderr, "no published record of /raw/none.csv");
    const json = await vc(["repo", "current", "/raw/none.csv", "--json"], dir, env);
    assertEquals([json.code, JSON.parse(json.stdout)], [1, null]);
    assertStringIncludes(json.stderr, "no published record of /raw/none.csv");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror whose deletes are held back: the reason also with --quiet", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_fail_reason_" }));
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "dst"));
    await Deno.writeTextFile(join(dir, "src", "a"), "a");
    for (const name of ["b", "c"]) await Deno.writeTextFile(join(dir, "dst", name), name);
    const target = pathToFileURL(join(dir, "dst")).href;
    const args = ["mirror", "src", target, "--delete", "--max-delete", "1"];
    const quiet = await vc([...args, "--quiet"], dir);
    assertEquals([quiet.code, quiet.stdout], [1, ""]);
    assertStringIncludes(quiet.stderr, "nothing was deleted");
    const json = await vc([...args, "--json"], dir);
    assertEquals(json.code, 1);
    assertStringIncludes(JSON.parse(json.stdout).deletesSkipped, "nothing was deleted");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache-client get of a cache with no file: the error document, the reason with --quiet", async () => {
  await using svc = await startService();
  const { doc } = await newCacheId(svc.url, svc.tokens.alice, { job: 1 });
  const id = String(doc.cache_id);
  const env = { VC_CACHE_URL: svc.url, VC_CACHE_TOKEN: svc.tokens.alice };
  const dest = join(svc.dir, "out.txt");
  const json = await vc(["cache-client", "get", id, dest, "--json"], svc.dir, env);
  assertEquals(json.code, 1, json.stderr);
  assertEquals(JSON.parse(json.stdout), {
    error: {
      name: "NotFoundError",
      kind: "NotFoundError",
      message: `cache ${id} has no file`,
      exitCode: 1,
    },
  });
  for (const args of [[id, dest], [id]]) {
    const quiet = await vc(["cache-client", "get", ...args, "--quiet"], svc.dir, env);
    assertEquals([quiet.code, quiet.stdout], [1, ""]);
    assertStringIncludes(quiet.stderr, `cache ${id} has no file`);
  }
});
