/**
 * A malformed cache ID given to `vc cache-client put|get|rm` is a usage
 * error naming it, before anything is read or sent: `put ID -` read all of
 * standard input first (on a terminal: waited for it), and `get` took the
 * service's "Cache ID not found" for a cache with no file.
 */
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv } from "./cli_process.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
// Nothing listens on port 9: a request would fail with exit 1, not 2.
const SERVICE = { VC_CACHE_URL: "http://127.0.0.1:9", VC_CACHE_TOKEN: "t" };

Deno.test("cache-client get/rm/put: a malformed ID is a usage error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const args of [
        ["get", "bad id"],
        ["get", "..", `${dir}/out`],
        ["rm", ""],
        ["rm", "A".repeat(128)],
        ["put", "abc", `${dir}/missing.txt`],
      ]
    ) {
      const io = memoryIo({ cwd: dir, env: { HOME: dir, ...SERVICE } });
      const code = await runCli(["cache-client", ...args], io);
      assertEquals(code, 2, `${args.join(" ")}: ${io.stderr()}`);
      assertStringIncludes(io.stderr(), `ID ${JSON.stringify(args[1])} is not a cache ID`);
      assertStringIncludes(io.stderr(), "128 lowercase hex digits");
    }
    const long = memoryIo({ cwd: dir, env: { HOME: dir, ...SERVICE } });
    assertEquals(await runCli(["cache-client", "rm", "z".repeat(100_000)], long), 2);
    assertStringIncludes(long.stderr(), "(100000 characters)");
    assertEquals(long.stderr().length < 1000, true, long.stderr());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache-client put BADID -: refused before standard input is read", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...PERMISSION_FLAGS,
      CLI,
      "cache-client",
      "put",
      "bad id",
      "-",
      "--filename",
      "x",
    ],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, SERVICE),
    stdin: "piped", // left open, as a terminal nobody types into
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, `waited for standard input? ${stderr}`);
    assertStringIncludes(stderr, 'ID "bad id" is not a cache ID');
  } finally {
    clearTimeout(timer);
    await child.stdin.close().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache-client id: an answer whose cache_id is no cache ID fails, naming it", async () => {
  // Another server's "ID" (or a hostile one's, with terminal escapes) was
  // printed with exit 0, for `put`, `get` and `rm` to refuse as no cache ID.
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    () =>
      Response.json({
        status: "ok",
        cache_id: "job-17\u001b[2J",
        metadata: { filename: "placeholder", token_id: "t", expiration: "1" },
      }),
  );
  try {
    const io = memoryIo({
      env: { VC_CACHE_URL: `http://127.0.0.1:${server.addr.port}`, VC_CACHE_TOKEN: "t" },
    });
    const code = await runCli(["cache-client", "id", '{"a": 1}'], io);
    assertEquals(code, 1, io.stderr());
    assertEquals(io.stdout(), "");
    assertStringIncludes(io.stderr(), 'the cache ID "job-17\\u001b[2J"');
    assertStringIncludes(io.stderr(), "not 128 lowercase hex digits");
  } finally {
    ac.abort();
    await server.finished;
  }
});
