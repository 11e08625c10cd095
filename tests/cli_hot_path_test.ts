// The lean `vc path` entry of cli.ts (src/cli/hot_path.ts) must answer
// exactly as the full command line does. Each case sets up two identical
// workspaces, runs `vc path ...` through cli.ts in one and through the full
// command line alone (tests/fixtures/full_cli.ts) in the other, both with the
// release binary's permissions, and compares exit code, stdout and stderr.
// It also checks, in-process, whether the lean entry answered the case
// itself or handed it on, so a case cannot pass by never reaching it.
import { AssetCache } from "../src/cache/asset_cache.ts";
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { CLI, FULL, run, warm, type Workspace, workspace } from "./hot_path_helpers.ts";

interface Case {
  name: string;
  args: string[];
  /** Whether the lean entry answers it itself. */
  handled: boolean;
  env?: Record<string, string>;
  setup?: (ws: Workspace) => Promise<void>;
}

const withLock = async (ws: Workspace) => {
  const io = memoryIo({ env: ws.env, cwd: ws.dir });
  assertEquals(await runCli(["lock"], io), 0, io.stderr());
};

const CASES: Case[] = [
  { name: "warm hit", args: ["path", "/some/asset.bin"], handled: true, setup: warm },
  {
    name: "warm hit, --json",
    args: ["path", "/some/asset.bin", "--json"],
    handled: true,
    setup: warm,
  },
  {
    name: "warm hit, --quiet",
    args: ["path", "--quiet", "/some/asset.bin"],
    handled: true,
    setup: warm,
  },
  {
    name: "warm hit, VERSION given, path without its slash",
    args: ["path", "some/asset.bin", "1.1.0"],
    handled: true,
    setup: (ws) => warm(ws, "/some/asset.bin", "1.1.0"),
  },
  {
    name: "warm hit, bucket and cache dir from flags",
    args: ["path", "/some/asset.bin", "--bucket", "./bucket", "--cache-dir", "cache"],
    env: { VC_BUCKET: "", VC_CACHE_DIR: "" },
    handled: true,
    setup: warm,
  },
  {
    name: "warm hit, bucket from a project vc.json",
    args: ["path", "/some/asset.bin"],
    env: { VC_BUCKET: "" },
    handled: true,
    setup: async (ws) => {
      await Deno.writeTextFile(`${ws.dir}/vc.json`, JSON.stringify({ bucket: "./bucket" }));
      await warm(ws);
    },
  },
  {
    name: "a vc.json beside a deno.json with a vc block (the full command warns)",
    args: ["path", "/some/asset.bin"],
    env: { VC_BUCKET: "" },
    handled: false,
    setup: async (ws) => {
      await Deno.writeTextFile(`${ws.dir}/vc.json`, JSON.stringify({ bucket: "./bucket" }));
      await Deno.writeTextFile(`${ws.dir}/deno.json`, JSON.stringify({ vc: { timeout: 60 } }));
      await warm(ws);
    },
  },
  {
    name: "warm hit pinned by the lock file",
    args: ["path", "/some/asset.bin"],
    handled: true,
    setup: async (ws) => {
      await withLock(ws);
      await run(ws, FULL, ["path", "/some/asset.bin"]); // records the checked SHA-256
    },
  },
  {
    name: "flags before the command",
    args: ["--json", "path", "/some/asset.bin"],
    handled: false,
    setup: warm,
  },
  { name: "cold miss: downloads", args: ["path", "/some/asset.bin"], handled: false },
  {
    name: "cold miss of another version",
    args: ["path", "/some/asset.bin", "1.1.0"],
    handled: false,
    setup: warm,
  },
  {
    name: "a version that does not exist",
    args: ["path", "/some/asset.bin", "9.9.9"],
    handled: false,
  },
  { name: "a path not in the manifest", args: ["path", "/nope.bin"], handled: false },
  { name: "an invalid VERSION", args: ["path", "/some/asset.bin", "one"], handled: false },
  {
    name: "no bucket anywhere",
    args: ["path", "/some/asset.bin"],
    env: { VC_BUCKET: "" },
    handled: false,
    setup: warm,
  },
  { name: "an override", args: ["path", "/dev/override.bin"], handled: false },
  {
    name: "the lock file pins other content",
    args: ["path", "/some/asset.bin"],
    handled: false,
    setup: async (ws) => {
      await withLock(ws);
      await warm(ws);
      const lock = `${ws.dir}/versioned_assets.lock.json`;
      const text = await Deno.readTextFile(lock);
      await Deno.writeTextFile(lock, text.replace(/"[0-9a-f]{64}"/, `"${"0".repeat(64)}"`));
    },
  },
  {
    name: "frozen without a lock entry",
    args: ["path", "/some/asset.bin", "--frozen"],
    handled: false,
    setup: warm,
  },
  {
    name: "an invalidated entry",
    args: ["path", "/some/asset.bin"],
    handled: false,
    setup: async (ws) => {
      await warm(ws);
      await using cache = new AssetCache({ cacheDir: `${ws.dir}/cache`, configPath: false });
      assert(await cache.invalidate(`${ws.bucket}/some/asset.1.0.0.bin`));
    },
  },
  {
    name: "a cached file with a second name (hard link)",
    args: ["path", "/some/asset.bin"],
    handled: false,
    setup: async (ws) => {
      await warm(ws);
      const data = `${ws.dir}/cache/file${ws.dir}/bucket/some/asset.1.0.0.bin`;
      await Deno.stat(data); // the layout this case assumes
      await Deno.link(data, `${ws.dir}/second-name.bin`);
    },
  },
  { name: "--help", args: ["path", "--help"], handled: false, setup: warm },
  { name: "an unknown flag", args: ["path", "/some/asset.bin", "--nope"], handled: false },
  { name: "a missing PATH", args: ["path"], handled: false },
  {
    name: "one word too many",
    args: ["path", "/some/asset.bin", "1.0.0", "x"],
    handled: false,
    setup: warm,
  },
  { name: "an empty PATH", args: ["path", ""], handled: false, setup: warm },
  {
    name: "a bad VC_LOCK_WAIT (checked by the cache)",
    args: ["path", "/some/asset.bin"],
    env: { VC_LOCK_WAIT: "soon" },
    handled: false,
    setup: warm,
  },
  {
    name: "a bad --request-timeout (checked by the store options)",
    args: ["path", "/some/asset.bin", "--request-timeout", "soon"],
    handled: false,
    setup: warm,
  },
];

for (const c of CASES) {
  Deno.test(`lean vc path = full vc path: ${c.name}`, async () => {
    await using lean = await workspace();
    await using full = await workspace();
    await c.setup?.(lean);
    await c.setup?.(full);
    const env = c.env ?? {};
    // In-process first: did the lean entry answer? (It writes nothing when it does not.)
    const io = memoryIo({ env: { ...lean.env, ...env }, cwd: lean.dir });
    const code = await hotPath(c.args, io);
    assertEquals(code !== undefined, c.handled, `handled: ${io.stdout()}${io.stderr()}`);
    if (code === undefined) assertEquals(io.stdout() + io.stderr(), "");
    const a = await run(lean, CLI, c.args, env);
    const b = await run(full, FULL, c.args, env);
    assertEquals(a, b);
    if (code !== undefined) {
      assertEquals({ code, stdout: io.stdout().replaceAll(lean.dir, "<WS>") }, {
        code: a.code,
        stdout: a.stdout,
      });
    }
  });
}

Deno.test("lean vc path: a warm hit marks the entry used once a minute, as the cache does", async () => {
  await using ws = await workspace();
  await warm(ws);
  const data = `${ws.dir}/cache/file${ws.dir}/bucket/some/asset.1.0.0.bin`;
  const old = new Date(Date.now() - 3_600_000);
  // Last used an hour ago; the modification time stays the download's (the record names it).
  const written = (await Deno.stat(data)).mtime!;
  await Deno.utime(data, old, written);
  const io = memoryIo({ env: ws.env, cwd: ws.dir });
  assertEquals(await hotPath(["path", "/some/asset.bin"], io), 0);
  const atime = (await Deno.stat(data)).atime!.getTime();
  assert(atime > old.getTime() + 1_800_000, `atime ${atime}`);
  // The modification time is the download's, kept.
  assertEquals((await Deno.stat(data)).mtime!.getTime(), written.getTime());
});

Deno.test("lean vc path: a warm hit it cannot print is reported as the full command does, -v as --verbose", async () => {
  await using ws = await workspace();
  await warm(ws);
  // Standard output on a full disk: every write fails.
  const fullDisk = () => {
    const io = memoryIo({ env: ws.env, cwd: ws.dir });
    const fail = () => {
      throw new Error("No space left on device (os error 28)");
    };
    return {
      ...io,
      writeStdout: () => Promise.reject(new Error("No space left on device (os error 28)")),
      writeStdoutSync: fail,
    };
  };
  const firstLines = (text: string) => text.split("\n").slice(0, 2);
  for (const flags of [[], ["-v"], ["--verbose"]]) {
    const args = ["path", "/some/asset.bin", ...flags];
    const lean = fullDisk();
    assertEquals(await hotPath(args, lean), 1, flags.join(" "));
    const full = fullDisk();
    assertEquals(await runCli(args, full), 1, flags.join(" "));
    // The message, then (verbose) the error's own line: the traces' frames differ.
    assertEquals(firstLines(lean.stderr()), firstLines(full.stderr()), flags.join(" "));
    assertEquals(lean.stderr().includes("\n    at "), flags.length > 0, lean.stderr());
  }
});
