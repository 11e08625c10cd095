/**
 * `deno task demo [DIR]`: the main job of vc on a plain directory as the
 * store (`VC_BUCKET=file://DIR/bucket`), no cloud account needed. It publishes two
 * assets, bumps one, reads them back through the cache, prefills a second
 * cache as CI would, and checks the resulting manifest against
 * manifest.example.json. Every step is a real `vc` command line, run
 * in-process with the same code and flags as the binary.
 *
 * With a DIR, everything stays there to look at; without one, the demo
 * works in a temp directory and removes it at the end, success or not.
 * DIR gets a `vc.json` naming its bucket and cache, so the `vc` lines the
 * demo printed work as shown when run there afterwards (the demo itself pins
 * them through the environment, which wins over a project file, so settings
 * the caller's shell exports never send the demo to another bucket or lock
 * file, nor stop it as frozen or offline).
 *
 * @module
 */
import { join, resolve } from "node:path";
import { denoIo, runCli } from "../cli.ts";

class DemoFailed extends Error {
  constructor(readonly code: number) {
    super(`demo failed (exit ${code})`);
  }
}

const keep = Deno.args[0] !== undefined;
const dir = resolve(Deno.args[0] ?? await Deno.makeTempDir({ prefix: "vc-demo-" }));
let entries: number;
try {
  await Deno.mkdir(dir, { recursive: true });
  entries = [...Deno.readDirSync(dir)].length;
} catch (error) {
  // A file given as DIR, or one below a file: say so, not with a stack trace.
  console.error(`demo: cannot use ${dir} as the demo's directory: ${(error as Error).message}`);
  Deno.exit(1);
}
// A second run in the same DIR would stop half-way at its first `vc add`
// (the path is already versioned there): refuse before writing anything.
if (keep && entries > 0) {
  console.error(
    `demo: ${dir} is not empty (a previous demo?): pass a new or empty directory, or remove it first`,
  );
  Deno.exit(1);
}
let exitCode = 0;
try {
  // Pinned here, as the environment wins over the caller's config files: a
  // shell's VC_LOCK (a lock file several manifests share) would get the demo's
  // entries, and VC_FROZEN or offline mode would stop it at its first add.
  const env: Record<string, string> = {
    VC_BUCKET: `file://${join(dir, "bucket")}`,
    VC_CACHE_DIR: join(dir, "cache"),
    VC_MANIFEST: join(dir, "versioned_assets.json"),
    VC_LOCK: join(dir, "versioned_assets.lock.json"),
    VC_FROZEN: "0",
    VC_OFFLINE: "0",
  };

  // The project settings a kept DIR needs for `vc ls`, `vc path …` run there (paths are
  // relative to this file, so the directory may be moved).
  await Deno.writeTextFile(
    join(dir, "vc.json"),
    `${JSON.stringify({ bucket: "./bucket", cacheDir: "./cache" }, null, 4)}\n`,
  );
  await Deno.writeTextFile(join(dir, "greeting.txt"), "hello from vc\n");
  await Deno.writeTextFile(join(dir, "table_v1.csv"), "city,population\nOslo,709000\n");
  await Deno.writeTextFile(
    join(dir, "table_v2.csv"),
    "city,population\nOslo,709000\nBergen,291000\n",
  );

  const base = denoIo();
  const vc = async (args: string[], extraEnv: Record<string, string> = {}): Promise<void> => {
    const shown = Object.entries(extraEnv).map(([k, v]) => `${k}=${v} `).join("");
    console.log(`\n$ ${shown}vc ${args.join(" ")}`);
    const io = {
      ...base,
      cwd: dir,
      env: (name: string) => extraEnv[name] ?? env[name] ?? base.env(name),
    };
    const code = await runCli(args, io);
    if (code !== 0) {
      console.error(`demo: "vc ${args.join(" ")}" exited with ${code}`);
      throw new DemoFailed(code);
    }
  };

  console.log(`vc demo in ${dir}`);
  console.log(
    `  bucket:   ${env.VC_BUCKET}  (a plain directory as the store: no cloud account needed)`,
  );
  console.log(`  cache:    ${env.VC_CACHE_DIR}`);
  console.log(`  manifest: ${env.VC_MANIFEST}`);

  await vc(["add", "/demo/greeting.txt", "greeting.txt"]);
  await vc(["add", "/demo/table.csv", "table_v1.csv"]);
  await vc(["update", "/demo/table.csv", "table_v2.csv", "--minor"]);
  await vc(["ls"]);
  await vc(["versions", "/demo/table.csv"]);
  await vc(["path", "/demo/table.csv"]);
  await vc(["cat", "/demo/greeting.txt"]);
  await vc(["path", "/demo/table.csv", "1.0.0"]);
  // A CI job starts with an empty cache: prefill fills it, a second run finds it all cached.
  await vc(["prefill"], { VC_CACHE_DIR: join(dir, "ci-cache") });
  await vc(["prefill"], { VC_CACHE_DIR: join(dir, "ci-cache") });
  await vc(["verify"]);

  const written = await Deno.readTextFile(env.VC_MANIFEST!);
  const example = await Deno.readTextFile(new URL("../manifest.example.json", import.meta.url));
  if (JSON.stringify(JSON.parse(written)) !== JSON.stringify(JSON.parse(example))) {
    console.error(`demo: the manifest differs from manifest.example.json:\n${written}`);
    throw new DemoFailed(1);
  }
  console.log(`\nThe manifest vc wrote equals manifest.example.json:\n${written}`);
  // The environment wins over DIR's vc.json: a shell that exports one of
  // these would send the hint's `vc path` to its own bucket or cache.
  const overriding = ["VC_CONFIG", "VC_BUCKET", "VC_CACHE_DIR", "VC_MANIFEST", "VC_LOCK"]
    .filter((name) => base.env(name) !== undefined);
  const unset = overriding.length > 0 ? `env ${overriding.map((n) => `-u ${n}`).join(" ")} ` : "";
  console.log(
    keep
      ? `Look around in ${dir}: vc run there uses its bucket and cache (named in its vc.json),\n` +
        `e.g. \`cd ${dir} && ${unset}vc path /demo/table.csv\`; delete it when done.` +
        (unset === ""
          ? ""
          : `\n(${overriding.join(", ")} ${
            overriding.length === 1 ? "is" : "are"
          } set in your shell and would win over its vc.json.)`)
      : `(Run \`deno task demo DIR\` to keep the files.)`,
  );
} catch (error) {
  if (!(error instanceof DemoFailed)) throw error;
  exitCode = error.code;
} finally {
  if (!keep) await Deno.remove(dir, { recursive: true });
}
Deno.exit(exitCode);
