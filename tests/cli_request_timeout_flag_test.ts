/**
 * `--request-timeout` is a global flag, listed by every command and
 * documented as working "on any command": the commands that open their
 * stores themselves (`mirror`, `repo …`, `serve`, `serve expire`) must use
 * it too, not only those going through the asset cache. Before, they
 * ignored it: a bad value passed unchecked and a silent endpoint was waited
 * on for VC_REQUEST_TIMEOUT (or 60 s) per attempt.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { silentServer } from "./raw_server.ts";

const s3Env = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  // What the flag must override: without it, each attempt waits this long.
  VC_REQUEST_TIMEOUT: "2",
});

const COMMANDS: readonly (readonly string[])[] = [
  ["mirror", "src", "s3://b/m"],
  ["repo", "ls", "--repo", "s3://b/r"],
  ["serve", "expire", "--store", "s3://b/c"],
];

Deno.test("--request-timeout sets the S3 request timeout of mirror, repo and serve expire", async () => {
  await using server = silentServer();
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    for (const args of COMMANDS) {
      // One attempt: the retries, each timed out as the first, added only waiting.
      const run = await vc([...args, "--request-timeout", "0.2"], {
        ...s3Env(server.url),
        AWS_MAX_ATTEMPTS: "1",
      });
      assertEquals(run.code, 1, `${args.join(" ")}: ${run.stderr}`);
      assertStringIncludes(run.stderr, "timed out after 0.2 s", args.join(" "));
    }
  });
});

Deno.test("a bad --request-timeout is a usage error for mirror, repo, serve", async () => {
  await using server = silentServer();
  await withWorkspace(async (dir, process, inProcess) => {
    // The process path of each command's flag is the test above's; a usage
    // error is runCli's answer either way. `serve` stays a process: one that
    // took the value would listen, which only a process's time limit ends.
    const vc = (args: string[], env: Record<string, string>) =>
      (args[0] === "serve" && args[1] !== "expire" ? process : inProcess)(args, env);
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "tokens.json"), "{}");
    for (
      const args of [
        ...COMMANDS,
        ["repo", "init", "s3://b/r", "--catalog", "sqlite:cat.db"],
        ["serve", "--store", "s3://b/c", "--token-file", "tokens.json", "--port", "0"],
      ]
    ) {
      const run = await vc([...args, "--request-timeout", "soon"], {
        ...s3Env(server.url),
        VC_REQUEST_TIMEOUT: "0.2",
      });
      assertEquals(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assertStringIncludes(run.stderr, "--request-timeout", args.join(" "));
    }
  });
});
