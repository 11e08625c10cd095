/**
 * `vc cache-client put ID -` uploads standard input (a pipe: its length is
 * unknown until its end), named by `--filename`; without `--filename` it is
 * a usage error that reads nothing and stores nothing. The copy of the
 * input it sends from is removed afterwards, unless the upload failed: a
 * pipe cannot be read again, so the copy was the only one left and its
 * removal lost the input (a long command's output); it is now kept in
 * `TMPDIR` and the error names it and the command that sends it again.
 * An empty standard input (the pipe of a command that failed, in a shell
 * without pipefail) is refused before any request, so it never replaces the
 * file stored before; `--allow-empty` uploads it.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv } from "./cli_process.ts";
import { CacheClient } from "../src/server/mod.ts";
import { anyTokenService } from "./server_helpers.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** `vc ARGS` with `input` written to its standard input in small pieces, as a pipe does. */
async function vcWithStdin(
  dir: string,
  env: Record<string, string>,
  args: string[],
  input: Uint8Array,
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, env),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    for (let at = 0; at < input.length; at += 64 * 1024) {
      await writer.write(input.subarray(at, at + 64 * 1024));
    }
    await writer.close();
  } catch {
    // The child stopped reading (the usage error): its answer says why.
  }
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("cache-client put ID -: standard input uploaded under --filename; none without it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_put_stdin_" });
  try {
    await using service = await anyTokenService(dir);
    const client = new CacheClient({ url: service.url, token: "alice" });
    const { cacheId } = await client.id({ job: "stdin" });
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    const env = { VC_CACHE_URL: service.url, VC_CACHE_TOKEN: "alice", TMPDIR: tmp };
    const input = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);

    const refused = await vcWithStdin(dir, env, ["cache-client", "put", cacheId, "-"], input);
    assertEquals(refused.code, 2, refused.stderr);
    assertStringIncludes(refused.stderr, "--filename");
    assertEquals(await client.getBytes(cacheId), undefined);

    const put = await vcWithStdin(
      dir,
      env,
      ["cache-client", "put", cacheId, "-", "--filename", "report.bin"],
      input,
    );
    assertEquals(put.code, 0, put.stderr);
    assertStringIncludes(put.stderr + put.stdout, `${input.length} bytes`);
    assertEquals(await client.getBytes(cacheId), input);
    const res = await client.get(cacheId);
    assertStringIncludes(res?.headers.get("content-disposition") ?? "", "report.bin");
    await res?.body?.cancel();
    // The copy it sent from is gone.
    assertEquals([...Deno.readDirSync(tmp)], []);

    // An empty input is what a pipe from a command that failed gives (in a
    // shell without pipefail): refused, the file stored before kept, unless
    // --allow-empty says an empty file is the output.
    const empty = await vcWithStdin(
      dir,
      env,
      ["cache-client", "put", cacheId, "-", "--filename", "empty.txt"],
      new Uint8Array(0),
    );
    assertEquals(empty.code, 1, empty.stderr);
    assertStringIncludes(
      empty.stderr,
      "standard input is empty (as a pipe from a command that failed is, in a shell without " +
        "pipefail): nothing uploaded",
    );
    assertStringIncludes(empty.stderr, "pass --allow-empty to store an empty file");
    assertEquals(await client.getBytes(cacheId), input);
    assert([...Deno.readDirSync(tmp)].length === 0);
    const allowed = await vcWithStdin(
      dir,
      env,
      ["cache-client", "put", cacheId, "-", "--filename", "empty.txt", "--allow-empty"],
      new Uint8Array(0),
    );
    assertEquals(allowed.code, 0, allowed.stderr);
    assertEquals((await client.getBytes(cacheId))?.length, 0);
    assert([...Deno.readDirSync(tmp)].length === 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache-client put ID -: an upload that fails keeps standard input's copy, named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_put_stdin_kept_" });
  // A service whose every upload fails (a store down behind it, a proxy's 500).
  let uploads = 0;
  await using service = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      if (req.method === "POST") uploads++;
      return Response.json({ status: "error", error: "internal error" }, { status: 500 });
    },
  );
  try {
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    const url = `http://127.0.0.1:${service.addr.port}`;
    const env = { VC_CACHE_URL: url, VC_CACHE_TOKEN: "alice", TMPDIR: tmp };
    const input = new Uint8Array(200 * 1024 + 3).map((_, i) => (i * 7) % 253);
    const cacheId = "a".repeat(128);
    const put = await vcWithStdin(
      dir,
      env,
      ["cache-client", "put", cacheId, "-", "--filename", "out put.bin"],
      input,
    );
    assertEquals(put.code, 1, put.stderr);
    assert(uploads > 1, `${uploads} uploads: not retried`);
    // Kept outside the spool's scratch directory, which is gone.
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name);
    assertEquals(left.length, 1, left.join(", "));
    assert(left[0]!.startsWith("vc-unsent-stdin-"), left[0]);
    const kept = join(tmp, left[0]!);
    assertEquals(await Deno.readFile(kept), input);
    assertStringIncludes(put.stderr, "(500)");
    assertStringIncludes(put.stderr, `standard input (${input.length} bytes) is kept in ${kept}`);
    assertStringIncludes(
      put.stderr,
      `vc cache-client put ${cacheId} ${kept} --filename 'out put.bin'`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
