/**
 * The second step of `deno task install`: the installed `vc` resolves its npm
 * packages with this checkout's `deno.lock`, the versions the tests ran with.
 *
 * Why: `deno install -g --config deno.json` copies the config beside the
 * launcher (`<root>/bin/.vc/deno.json`) and resolves its import map afresh
 * into a new lock there (Deno 2.9 ignores `--lock` for a global install, and
 * `--frozen` then fails), so an installed `vc` ran the newest
 * `@aws-sdk/client-s3` within the range, not the one this checkout pins and
 * tests. This copies the checkout's lock over that one and runs
 * `deno install` there, which keeps every version the lock pins and caches
 * them (the first run needs no download). Not `--frozen`: Deno adds a
 * `links` entry for the copied config, which names a package of its own.
 *
 *     deno run --allow-read --allow-write --allow-env=DENO_INSTALL_ROOT,HOME,USERPROFILE \
 *       --allow-run=deno scripts/install_lock.ts [NAME]
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { denoExecutable } from "./compile.ts";

/**
 * Where `deno install -g --name NAME` keeps the config of the command it
 * installed: `<root>/bin/.NAME`, the root being `DENO_INSTALL_ROOT` or
 * `<home>/.deno`, the home being what Deno's installer takes on `os`
 * (default this platform): `USERPROFILE` on Windows (a `HOME` there, set by
 * Git Bash, Cygwin or the user, may name another directory: Deno ignores
 * it), `HOME` elsewhere. Undefined when neither that variable nor the home
 * is set ({@linkcode homeVariable} names the one to set).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installedConfigDir } from "./install_lock.ts";
 * assert.equal(installedConfigDir("vc", { DENO_INSTALL_ROOT: "/opt/deno" }, "linux"), "/opt/deno/bin/.vc");
 * assert.equal(installedConfigDir("vc", { HOME: "/home/ann" }, "linux"), "/home/ann/.deno/bin/.vc");
 * assert.equal(installedConfigDir("vc", { HOME: "/home/ann" }, "windows"), undefined);
 * assert.equal(installedConfigDir("vc", {}, "linux"), undefined);
 * ```
 */
export function installedConfigDir(
  name: string,
  env: Record<string, string | undefined>,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const home = env[homeVariable(os)];
  const root = env.DENO_INSTALL_ROOT || (home ? join(home, ".deno") : undefined);
  return root === undefined ? undefined : join(root, "bin", `.${name}`);
}

/**
 * The variable Deno's installer takes the home from on `os`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { homeVariable } from "./install_lock.ts";
 * assert.equal(homeVariable("windows"), "USERPROFILE");
 * assert.equal(homeVariable("darwin"), "HOME");
 * ```
 */
export function homeVariable(os: typeof Deno.build.os = Deno.build.os): string {
  return os === "windows" ? "USERPROFILE" : "HOME";
}

async function main(args: string[]): Promise<number> {
  const name = args[0] ?? "vc";
  const env = Object.fromEntries(
    ["DENO_INSTALL_ROOT", "HOME", "USERPROFILE"].map((k) => [k, Deno.env.get(k)]),
  );
  const dir = installedConfigDir(name, env);
  if (dir === undefined) {
    console.error(
      `install_lock: set DENO_INSTALL_ROOT or ${homeVariable()}: the install's root is unknown`,
    );
    return 1;
  }
  try {
    if (!(await Deno.stat(join(dir, "deno.json"))).isFile) throw new Error("not a file");
  } catch {
    console.error(`install_lock: ${join(dir, "deno.json")} is missing: run deno install first`);
    return 1;
  }
  const lock = fileURLToPath(new URL("../deno.lock", import.meta.url));
  await Deno.copyFile(lock, join(dir, "deno.lock"));
  const { code, stderr } = await new Deno.Command(denoExecutable(), {
    args: ["install", "--config", join(dir, "deno.json")],
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    console.error(
      `install_lock: deno install in ${dir} failed (exit ${code}): ` +
        new TextDecoder().decode(stderr),
    );
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
