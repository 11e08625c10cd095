/**
 * The address of a `vc serve` run as a process: its first line on stdout
 * says where it listens. One reader for every test that starts the service
 * with `--port 0`.
 */

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
