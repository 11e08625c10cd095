/**
 * A process's arguments are readable by every local user while it runs
 * (`ps -ef`, `/proc/PID/cmdline`): `vc cache-client get ID --token T` or
 * `vc repo ls --catalog postgres://vc:PASSWORD@db/vc` handed the secret to
 * anyone on the machine, without a word. Both forms still work, but now
 * warn (never echoing the secret) and name the variable that keeps it out
 * of the process list: `VC_CACHE_TOKEN`, `PGPASSWORD` / `~/.pgpass`.
 * The same secrets given through the environment draw nothing.
 */
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const ID = "a".repeat(128);
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("vc: warning:"));

Deno.test("vc cache-client --token warns that every local user can read it; VC_CACHE_TOKEN does not", async () => {
  await using ws = await CliWorkspace.create();
  // Nothing listens on port 1: the command fails after its warning.
  const url = "http://127.0.0.1:1";
  const flag = await ws.run(
    ["cache-client", "get", ID, "--url", url, "--token", "sekrit-token-123", "out.bin"],
    { VC_REQUEST_TIMEOUT: "5" },
  );
  const said = warnings(flag.stderr);
  assertEquals(said.length, 1, flag.stderr);
  assert(said[0]!.includes("--token") && said[0]!.includes("VC_CACHE_TOKEN"), said[0]);
  assert(said[0]!.includes("every user"), said[0]);
  assert(!flag.stderr.includes("sekrit-token-123"), flag.stderr);
  const env = await ws.run(["cache-client", "get", ID, "--url", url, "out.bin"], {
    VC_CACHE_TOKEN: "sekrit-token-123",
    VC_REQUEST_TIMEOUT: "5",
  });
  assertEquals(warnings(env.stderr), [], env.stderr);
});

Deno.test("vc repo --catalog with a password in the URL warns, naming PGPASSWORD; without one it does not", async () => {
  await using ws = await CliWorkspace.create();
  // No repository there: the command fails before any connection.
  const repo = `file://${ws.dir}/no-repo-here`;
  const withPassword = await ws.run([
    "repo",
    "ls",
    "--repo",
    repo,
    "--catalog",
    "postgres://vc:pg-pass-456@127.0.0.1:1/vc",
  ]);
  assert(withPassword.code !== 0, withPassword.stderr);
  const said = warnings(withPassword.stderr);
  assertEquals(said.length, 1, withPassword.stderr);
  assert(said[0]!.includes("--catalog") && said[0]!.includes("PGPASSWORD"), said[0]);
  assert(!withPassword.stderr.includes("pg-pass-456"), withPassword.stderr);
  for (const catalog of ["postgres://vc@127.0.0.1:1/vc", `sqlite:${ws.dir}/c.sqlite`]) {
    const r = await ws.run(["repo", "ls", "--repo", repo, "--catalog", catalog]);
    assertEquals(warnings(r.stderr), [], r.stderr);
  }
  // From VC_REPO_CATALOG (the environment, not the process list): nothing.
  const env = await ws.run(["repo", "ls", "--repo", repo], {
    VC_REPO_CATALOG: "postgres://vc:pg-pass-456@127.0.0.1:1/vc",
  });
  assertEquals(warnings(env.stderr), [], env.stderr);
});
