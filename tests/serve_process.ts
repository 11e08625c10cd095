/**
 * The address of a `vc serve` run as a process: its first line on stdout
 * says where it listens. One reader for every test that starts the service
 * with `--port 0`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { childEnv, ok, vcCommand, type VcRunner } from "./cli_process.ts";

/** A spawned `vc serve`'s address and output. */
export interface ServeOutput {
  /** The service's base URL, from its first line (`listening on URL`). */
  url: string;
  /** All of stderr, once the process has closed it. */
  stderr: Promise<string>;
  /**
   * Resolves when stdout ends: the lines after the first are read and
   * dropped, so that the service never blocks on a full pipe.
   */
  stdoutEnd: Promise<void>;
}

/**
 * Reads the `listening on URL` line of `child`, a `vc serve` spawned with
 * piped stdout and stderr; the child is killed when no line comes within
 * `limitMs`, and one that exits first is an error quoting its stderr.
 */
export async function servedUrl(child: Deno.ChildProcess, limitMs = 30_000): Promise<ServeOutput> {
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
  try {
    while (!out.includes("\n")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`vc serve exited early: ${await stderr}`);
      out += value;
    }
  } finally {
    clearTimeout(timer);
  }
  const url = /listening on (\S+)/.exec(out)?.[1];
  if (url === undefined) throw new Error(`vc serve said no address: ${out}`);
  const stdoutEnd = (async () => {
    while (!(await reader.read()).done);
  })();
  return { url, stderr, stdoutEnd };
}

/** The arguments and token of {@linkcode serveSetup}. */
export interface ServeSetup {
  /** `--store URL --token-file PATH`, for `vc serve`. */
  args: string[];
  /** alice's token, in the token file. */
  token: string;
}

/** A store directory and a token file holding alice's token, in `dir`, added by `vc`. */
export async function serveSetup(dir: string, vc: VcRunner): Promise<ServeSetup> {
  const store = join(dir, "store");
  await Deno.mkdir(store);
  const tokens = join(dir, "tokens.json");
  const token = ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add-token")
    .stdout.trim();
  return { args: ["serve", "--store", pathToFileURL(store).href, "--token-file", tokens], token };
}

/**
 * `vc ARGS --port 0` (ARGS: `serve` and its flags) spawned in `dir` with
 * `env` on top of {@linkcode childEnv}'s, and listening: its address and output. Disposing kills it and reads its pipes
 * to their end, as does a service that exits before it listens.
 */
export async function spawnServe(
  dir: string,
  args: readonly string[],
  limitMs = 60_000,
  env: Record<string, string> = {},
): Promise<ServeOutput & AsyncDisposable> {
  const child = vcCommand(dir, childEnv(dir, env), [...args, "--port", "0"], limitMs).spawn();
  const started = servedUrl(child);
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    await started.then((s) => Promise.all([s.stdoutEnd, s.stderr])).catch(() => {});
  };
  try {
    return { ...await started, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
