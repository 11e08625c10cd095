/**
 * A script that imports vc and runs with only the permissions it needs, on a
 * terminal (where Deno asks about anything else), is asked nothing: vc reads
 * an optional variable, the host's name, `/proc` or a directory above the
 * script's own only when it may, as under `--no-prompt`. Its first `cache()`
 * of an `s3://` URI asked about some 30 variables (`VC_CONFIG`, `HOME`,
 * `ALL_PROXY`, ...), an `FsStore` put about `hostname` and
 * `/proc/self/ns/pid`, and `mirror()` about the directory above its own.
 */
import { assert, assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { shellWord } from "../src/shell_word.ts";
import { commandAvailable } from "./command_available.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;
const MIRROR = new URL("../src/mirror/mod.ts", import.meta.url).href;
const REPO = new URL("../src/repo/mod.ts", import.meta.url).href;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

// `script` (util-linux) runs a command on a pseudo-terminal, where Deno prompts.
const hasScript = commandAvailable("script");
const ignored = hasScript ? "" : " (ignored: no `script` command on this machine)";

/**
 * Runs `deno run FLAGS file` on a terminal; stops it at its first permission
 * prompt (which nobody answers) and returns what it drew.
 */
async function onTerminal(
  dir: string,
  flags: string[],
  file: string,
  env: Record<string, string>,
): Promise<string> {
  const command = [Deno.execPath(), "run", "--config", CONFIG, ...flags, file]
    .map(shellWord).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    cwd: dir,
    clearEnv: true,
    env: {
      ...env,
      PATH: Deno.env.get("PATH") ?? "",
      NO_COLOR: "1",
      TERM: "xterm",
      SHELL: "/bin/sh",
    },
    // Kept open and never written: a prompt waits, and is seen below.
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let screen = "";
  const stop = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
  };
  // A bound on a run that neither ends nor prompts (not an assertion).
  const cap = setTimeout(stop, 60_000);
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      screen += decoder.decode(chunk, { stream: true });
      if (screen.includes("Deno requests")) {
        // Let the prompt's lines arrive, then end it: nobody answers.
        await new Promise((r) => setTimeout(r, 200));
        stop();
      }
    }
    await child.status;
  } finally {
    clearTimeout(cap);
    await child.stdin.close().catch(() => {});
    await child.stderr.cancel().catch(() => {});
  }
  return screen;
}

Deno.test({
  name: "cache() of an s3:// URI with a narrow --allow-env, on a terminal, prompts for nothing" +
    ignored,
  ignore: !hasScript,
  async fn() {
    await using s3 = await startFakeS3({ buckets: ["b"] });
    await s3.putObject("b", "a.txt", "hello");
    const dir = await Deno.makeTempDir({ prefix: "vc-narrow-env-terminal-" });
    try {
      await Deno.writeTextFile(
        `${dir}/script.ts`,
        `import { cache } from ${JSON.stringify(MOD)};
console.log("read:", await Deno.readTextFile(await cache("s3://b/a.txt")));`,
      );
      const port = new URL(s3.url).port;
      const screen = await onTerminal(
        dir,
        [
          `--allow-net=127.0.0.1:${port}`,
          `--allow-read=${dir},${new URL("..", import.meta.url).pathname}`,
          `--allow-write=${dir}`,
          "--allow-env=VC_CACHE_DIR,AWS_ENDPOINT_URL,AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_REGION",
        ],
        `${dir}/script.ts`,
        {
          VC_CACHE_DIR: `${dir}/cache`,
          AWS_ENDPOINT_URL: s3.url,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_REGION: "us-east-1",
        },
      );
      assert(!screen.includes("Deno requests"), screen);
      assertEquals(screen.trim(), "read: hello");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "an FsStore put, mirror() and Repository.init with --allow-read/--allow-write of their " +
    "own directory, on a terminal, prompt for nothing" + ignored,
  ignore: !hasScript,
  async fn() {
    const parent = await Deno.makeTempDir({ prefix: "vc-narrow-fs-terminal-" });
    const dir = `${parent}/own`;
    try {
      await Deno.mkdir(`${dir}/src`, { recursive: true });
      await Deno.mkdir(`${dir}/store`);
      await Deno.writeTextFile(`${dir}/src/f.txt`, "data");
      await Deno.writeTextFile(
        `${dir}/script.ts`,
        `import { openStore } from ${JSON.stringify(MOD)};
import { mirror } from ${JSON.stringify(MIRROR)};
import { Repository } from ${JSON.stringify(REPO)};
const dir = ${JSON.stringify(dir)};
const store = await openStore("file://" + dir + "/store");
await store.put("k.txt", new TextEncoder().encode("k"));
console.log("put: ok");
const report = await mirror({ sources: [dir + "/src"], target: "file://" + dir + "/target", cacheDir: dir + "/cache" });
console.log("mirror:", report.transferred);
const repo = await Repository.init("file://" + dir + "/repo");
await repo.add("/a.txt", new TextEncoder().encode("a"));
await repo.close();
console.log("repo: ok");`,
      );
      const screen = await onTerminal(
        dir,
        [
          `--allow-read=${dir},${new URL("..", import.meta.url).pathname}`,
          `--allow-write=${dir}`,
          // A repository records the host's name: a permission it needs.
          "--allow-sys=hostname",
        ],
        `${dir}/script.ts`,
        { HOME: parent },
      );
      assert(!screen.includes("Deno requests"), screen);
      assertEquals(screen.trim().split(/\r?\n/), ["put: ok", "mirror: 1", "repo: ok"]);
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  },
});
