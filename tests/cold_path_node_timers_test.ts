/**
 * Ordinary commands never bring up Deno's Node compatibility layer: in Deno
 * the first `setTimeout` or `setInterval` of a process loads the Node timers
 * (13–20 ms of start-up, a tenth of a one-object prefill), and the first
 * `node:` module (`node:crypto` through `process.getBuiltinModule`, `node:path`,
 * `node:url`, ...) loads the layer (13–50 ms). Request deadlines and the CI log
 * line of a progress bar use `src/deadline.ts`, small files are hashed in
 * TypeScript (`digestFor` in `src/hash.ts`), paths go through `src/path.ts`.
 *
 * Found two ways, neither by timing: the tripwire fixture reports the first
 * touch of a global that loads the layer (with its stack), and Deno's module
 * log (`--log-level=debug`: one line per module evaluated, from its V8 code
 * cache) names every `node:` / `ext:deno_node/` module loaded. Run as
 * processes with the release permissions, on stderr that is not a terminal
 * (so the progress bar's 30 s log line is armed). The same log shows a
 * command evaluates none of another area's modules it has no use for.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, testAwsEnv, vcCommand } from "./cli_process.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const TRIPWIRE = new URL("./fixtures/cli_timer_tripwire.ts", import.meta.url).pathname;

/**
 * What `vc mirror` loads for its state file (`node:sqlite`, the feature it
 * uses on every run): these modules and nothing more of the layer.
 */
const SQLITE_MODULES = new Set([
  "ext:deno_node/sqlite.ts",
  "ext:deno_node/internal/util/types.ts",
  "ext:deno_node/internal_binding/types.ts",
  "ext:deno_node/internal/crypto/_keys.ts",
]);

interface Case {
  name: string;
  args: (dir: string) => string[];
  /** Node modules the command loads legitimately. */
  allowed?: ReadonlySet<string>;
  /** Runs before, with the normal CLI (which may load anything). */
  setup?: (dir: string, vc: (args: string[]) => Promise<void>) => Promise<void>;
  check?: (dir: string, stdout: string, stats: Record<string, number>) => void | Promise<void>;
  /** The project's modules (by path from the root) the command never evaluates. */
  never?: RegExp;
}

const LOCAL_MODEL = "m".repeat(5000);

const CASES: Case[] = [
  {
    name: "vc prefill --list of plain s3:// URIs",
    args: () => ["prefill", "--list", "uris.txt"],
    check: (_dir, _out, stats) => assertEquals(stats.GetObject, 2, "downloaded cold"),
  },
  {
    name: "vc cache get of an s3:// URI",
    args: () => ["cache", "get", "s3://cold/data/b.bin"],
    check: (_dir, _out, stats) => assertEquals(stats.GetObject, 1, "downloaded cold"),
  },
  {
    name: "vc cache verify of a cached copy",
    setup: async (_dir, vc) => await vc(["cache", "get", "s3://cold/data/a.bin"]),
    args: () => ["cache", "verify"],
  },
  {
    name: "vc cache get of a file:// URI",
    args: (dir) => ["cache", "get", pathToFileURL(join(dir, "model.bin")).href],
    check: async (_dir, out) =>
      assertEquals(await Deno.readTextFile(out.trim()), LOCAL_MODEL, "the file's content"),
  },
  {
    name:
      "vc sync of a locked entry (its copy checked against the pinned SHA-256, no mirror module)",
    setup: async (_dir, vc) => await vc(["add", "/models/m.bin", "model.bin"]),
    args: () => ["sync", "out"],
    // Its DEST's names are checked with atomic_write.ts's tempNameProblem,
    // not the mirror's key checks (a versioned → mirror import).
    never: /^src\/mirror\//,
    check: async (dir) =>
      assertEquals(await Deno.readTextFile(join(dir, "out/models/m.bin")), LOCAL_MODEL),
  },
  {
    name: "vc get of a locked entry",
    setup: async (_dir, vc) => await vc(["add", "/models/m.bin", "model.bin"]),
    args: () => ["get", "/models/m.bin", "got.bin"],
    check: async (dir) => assertEquals(await Deno.readTextFile(join(dir, "got.bin")), LOCAL_MODEL),
  },
  {
    name: "vc mirror of a directory to s3://",
    args: () => ["mirror", "tree", "s3://cold/mirrored"],
    allowed: SQLITE_MODULES,
    check: (_dir, _out, stats) => assertEquals(stats.PutObject, 2, "uploaded"),
  },
  {
    name: "vc mirror of a directory to file://",
    args: (dir) => ["mirror", "tree", pathToFileURL(join(dir, "target")).href],
    allowed: SQLITE_MODULES,
    check: async (dir) => assertEquals(await Deno.readTextFile(join(dir, "target/x.txt")), "x"),
  },
];

const ROOT = new URL("../", import.meta.url).href;

/** The project's modules Deno's debug log says were evaluated, by path from the root. */
function projectModulesLoaded(stderr: string): string[] {
  return [...stderr.matchAll(/ES module: ([^\s,]+)/g)]
    .filter((m) => m[1]!.startsWith(ROOT))
    .map((m) => m[1]!.slice(ROOT.length));
}

/** Modules of the Node layer that Deno's debug log says were loaded. */
function nodeModulesLoaded(stderr: string): string[] {
  return [...stderr.matchAll(/ES module: ((?:node:|ext:deno_node\/)[^\s,]+)/g)].map((m) => m[1]!);
}

function assertNoNodeLayer(
  stderr: string,
  allowed: ReadonlySet<string> = new Set(),
  entry = /ES module: file:.*cli_timer_tripwire\.ts/,
): void {
  // The log does list modules (so an empty list below means something).
  assert(entry.test(stderr), "Deno's module log is on");
  assertEquals(stderr.match(/node layer touched: [^]*/)?.[0], undefined);
  assertEquals(nodeModulesLoaded(stderr).filter((m) => !allowed.has(m)), []);
}

async function runTripwired(
  dir: string,
  env: Record<string, string>,
  args: string[],
  main = TRIPWIRE,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await vcCommand(dir, env, args, 120_000, { main, denoFlags: ["--log-level=debug"] })
    .output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: run.code, stdout: decode(run.stdout), stderr: decode(run.stderr) };
}

for (const c of CASES) {
  Deno.test(`${c.name}: no Node compatibility layer (no Node timers, no node: modules)`, async () => {
    await using s3 = await startFakeS3({ buckets: ["cold"] });
    await s3.putObject("cold", "data/a.bin", "a".repeat(4096));
    await s3.putObject("cold", "data/b.bin", "b".repeat(4096));
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cold_node_layer_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      await Deno.mkdir(join(dir, "tree"));
      await Deno.writeTextFile(join(dir, "tree/x.txt"), "x");
      await Deno.writeTextFile(join(dir, "tree/y.txt"), "y");
      await Deno.writeTextFile(join(dir, "model.bin"), LOCAL_MODEL);
      await Deno.writeTextFile(
        join(dir, "uris.txt"),
        "s3://cold/data/a.bin\ns3://cold/data/b.bin\n",
      );
      const env = childEnv(dir, { ...testAwsEnv(s3.url), VC_BUCKET: "s3://cold/assets" });
      await c.setup?.(dir, async (args) => {
        const run = await vcCommand(dir, env, args).output();
        assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
      });
      // Only what the command itself does.
      for (const key of Object.keys(s3.stats)) delete (s3.stats as Record<string, number>)[key];
      const run = await runTripwired(dir, env, c.args(dir));
      assertEquals(
        run.code,
        0,
        run.stderr.split("\n").filter((l) => !l.startsWith("DEBUG")).join("\n"),
      );
      assertNoNodeLayer(run.stderr, c.allowed);
      if (c.never !== undefined) {
        const loaded = projectModulesLoaded(run.stderr);
        assert(loaded.includes("src/cli/main.ts"), "Deno's module log lists the project's modules");
        assertEquals(loaded.filter((m) => c.never!.test(m)), []);
      }
      await c.check?.(dir, run.stdout, s3.stats as Record<string, number>);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("vc cache-client get: no Node compatibility layer (the small file's MD5 in TypeScript)", async () => {
  await using svc = await startService();
  const { doc } = await newCacheId(svc.url, svc.tokens.alice, { model: 1 });
  const id = (doc as { cache_id: string }).cache_id;
  assertEquals((await upload(svc.url, svc.tokens.alice, id, "payload")).status, 200);
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cold_node_layer_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    const env = childEnv(dir, { VC_CACHE_URL: svc.url, VC_CACHE_TOKEN: svc.tokens.alice });
    const run = await runTripwired(dir, env, ["cache-client", "get", id, "got.txt"]);
    assertEquals(
      run.code,
      0,
      run.stderr.split("\n").filter((l) => !l.startsWith("DEBUG")).join("\n"),
    );
    assertNoNodeLayer(run.stderr);
    assertEquals(await Deno.readTextFile(join(dir, "got.txt")), "payload");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("warm vc path of a name with an over-long segment (its cache name hashed): no node: modules", async () => {
  await using s3 = await startFakeS3({ buckets: ["cold"] });
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_cold_node_layer_" }));
  try {
    await Deno.mkdir(join(dir, "home"));
    await Deno.writeTextFile(join(dir, "model.bin"), LOCAL_MODEL);
    const env = childEnv(dir, { ...testAwsEnv(s3.url), VC_BUCKET: "s3://cold/assets" });
    // Over the 255 bytes a cache file name may have: named by its SHA-256.
    const path = `/models/${"l".repeat(300)}.bin`;
    for (const args of [["add", path, "model.bin"], ["path", path]]) {
      const run = await vcCommand(dir, env, args).output();
      assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
    }
    const cli = new URL("../cli.ts", import.meta.url).pathname;
    const run = await runTripwired(dir, env, ["path", path], cli);
    assertEquals(
      run.code,
      0,
      run.stderr.split("\n").filter((l) => !l.startsWith("DEBUG")).join("\n"),
    );
    assertNoNodeLayer(run.stderr, new Set(), /ES module: file:.*\/cli\.ts/);
    assertEquals(await Deno.readTextFile(run.stdout.trim()), LOCAL_MODEL);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
