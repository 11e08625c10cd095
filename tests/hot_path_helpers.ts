// Workspaces and runs for the tests of the lean `vc path` entry
// (cli_hot_path_test.ts, cli_bundle_test.ts).
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { DENO_DIR } from "./cli_process.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";

export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));
export const CLI = `${ROOT}cli.ts`;
export const FULL = `${ROOT}tests/fixtures/full_cli.ts`;

/** Deno's cache dir, so the children find their modules with a temp HOME. */

/** One workspace: a file:// bucket with two versions, a manifest, a cache dir. */
export interface Workspace extends AsyncDisposable {
  dir: string;
  env: Record<string, string>;
  bucket: string;
}

/** What one run printed, with the workspace's directory replaced by `<WS>`. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Creates a workspace (see {@linkcode Workspace}). */
export async function workspace(): Promise<Workspace> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_hot_" }));
  await Deno.mkdir(`${dir}/home`);
  await Deno.mkdir(`${dir}/bucket/some`, { recursive: true });
  await Deno.writeTextFile(`${dir}/bucket/some/asset.1.0.0.bin`, "version one\n");
  await Deno.writeTextFile(`${dir}/bucket/some/asset.1.1.0.bin`, "version one point one\n");
  await Deno.writeTextFile(`${dir}/local.bin`, "an override\n");
  await Deno.writeTextFile(
    `${dir}/versioned_assets.json`,
    JSON.stringify({ "/some/asset.bin": "1.0.0", "/dev/override.bin": "./local.bin" }, null, 4) +
      "\n",
  );
  const bucket = pathToFileURL(`${dir}/bucket`).href;
  return {
    dir,
    bucket,
    env: {
      DENO_DIR,
      DENO_NO_UPDATE_CHECK: "1",
      HOME: `${dir}/home`,
      XDG_CONFIG_HOME: `${dir}/home/.config`,
      VC_CACHE_DIR: `${dir}/cache`,
      VC_BUCKET: bucket,
      NO_COLOR: "1",
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Puts `path` (at `version`) into the workspace's cache, in-process. */
export async function warm(ws: Workspace, path = "/some/asset.bin", version?: string) {
  await using cache = new AssetCache({ cacheDir: `${ws.dir}/cache`, configPath: false });
  await using vc = new VersionedCache({
    manifest: `${ws.dir}/versioned_assets.json`,
    bucket: ws.bucket,
    cache,
  });
  await vc.path(path, version);
}

/** Runs `deno run <release flags> entry args` in the workspace. */
export async function run(
  ws: Workspace,
  entry: string,
  args: string[],
  env: Record<string, string> = {},
  denoArgs: string[] = [],
): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, ...denoArgs, entry, ...args],
    cwd: ws.dir,
    clearEnv: true,
    env: { ...ws.env, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  // A retry's wait is random (full jitter): `trying again (2/3) in 44 ms` is said as `in N`.
  const text = (b: Uint8Array) =>
    new TextDecoder().decode(b).replaceAll(ws.dir, "<WS>")
      .replace(/(; trying again \(\d+\/\d+\) in )[\d.]+ m?s/g, "$1N");
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}
