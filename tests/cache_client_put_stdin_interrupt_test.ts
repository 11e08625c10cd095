/**
 * Ctrl-C while `vc cache-client put ID -` copies standard input to its temp
 * file, and the pipe's writer sends nothing more (still running, or one that
 * outlives the Ctrl-C): the read stops at once and the copy is removed. It
 * used to wait on the read until the grace period ended the process, and the
 * copy (all of stdin so far) stayed in TMPDIR. A spool a killed process left
 * there (kill -9, a lost terminal) is removed by the next `put ID -`. A
 * TMPDIR too small for the input is named as such, not a bare OS error.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { canMount, tmpfsScratch } from "./mounts.ts";
import { childEnv } from "./cli_process.ts";
import { CacheClient } from "../src/server/mod.ts";
import { anyTokenService } from "./server_helpers.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** `vc cache-client put ID - --filename x.bin` as the binary runs it, reading a pipe, with TMPDIR `tmp`. */
function spawnPutFromStdin(
  dir: string,
  tmp: string,
  id: string,
  service: { url: string; token: string },
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, CLI, "cache-client", "put", id, "-", "--filename", "x.bin"],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, { VC_CACHE_URL: service.url, VC_CACHE_TOKEN: service.token, TMPDIR: tmp }),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).spawn();
}

/** The bytes spooled so far under `tmp` (0 before the spool exists). */
function spooledBytes(tmp: string): number {
  let bytes = 0;
  for (const dir of Deno.readDirSync(tmp)) {
    try {
      bytes += Deno.statSync(join(tmp, dir.name, "stdin")).size;
    } catch {
      // Made, its file not yet.
    }
  }
  return bytes;
}

Deno.test({
  name: "cache-client put ID -: Ctrl-C while stdin is silent removes the spooled copy",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_put_stdin_int_" });
    try {
      const tmp = join(dir, "tmp");
      await Deno.mkdir(tmp);
      // Never reached: stdin is read whole before any request.
      const child = spawnPutFromStdin(dir, tmp, "a".repeat(128), {
        url: "http://127.0.0.1:9",
        token: "t",
      });
      const output = child.output();
      const writer = child.stdin.getWriter();
      await writer.write(new Uint8Array(1000).fill(7));
      // The writer stays open and silent. Wait (bounded) until the bytes are spooled.
      for (let i = 0; i < 3000 && spooledBytes(tmp) < 1000; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(spooledBytes(tmp), 1000, "stdin was being spooled");
      child.kill("SIGINT");
      const { code, stderr } = await output;
      await writer.close().catch(() => {});
      assertEquals(code, 130, new TextDecoder().decode(stderr));
      assertEquals(new TextDecoder().decode(stderr), "vc: cache-client put interrupted\n");
      assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "cache-client put ID -: a spool a killed process left in TMPDIR is removed, one in use kept",
  // Unlocked spools are told by their lock, which Windows does not take.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_put_stdin_dead_" });
    try {
      await using service = await anyTokenService(dir);
      const client = new CacheClient({ url: service.url, token: "alice" });
      const { cacheId } = await client.id({ job: "spool" });
      const tmp = join(dir, "tmp");
      const hourAgo = new Date(Date.now() - 3600_000);
      // A `kill -9`'d put's spool: nobody holds its lock.
      await Deno.mkdir(join(tmp, "vc-stdin-dead"), { recursive: true });
      await Deno.writeFile(join(tmp, "vc-stdin-dead", "stdin"), new Uint8Array(100));
      await Deno.writeFile(join(tmp, "vc-stdin-dead", ".vc-in-use"), new Uint8Array(0));
      await Deno.utime(join(tmp, "vc-stdin-dead", ".vc-in-use"), hourAgo, hourAgo);
      // One still uploading (an hour already): its process holds the lock.
      await Deno.mkdir(join(tmp, "vc-stdin-live"));
      await Deno.writeFile(join(tmp, "vc-stdin-live", "stdin"), new Uint8Array(100));
      await Deno.writeFile(join(tmp, "vc-stdin-live", ".vc-in-use"), new Uint8Array(0));
      await Deno.utime(join(tmp, "vc-stdin-live", ".vc-in-use"), hourAgo, hourAgo);
      using live = await Deno.open(join(tmp, "vc-stdin-live", ".vc-in-use"), { read: true });
      await live.lock(true);

      const child = spawnPutFromStdin(dir, tmp, cacheId, { url: service.url, token: "alice" });
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("abc"));
      await writer.close();
      const { code, stderr } = await child.output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      assertEquals(await client.getBytes(cacheId), new TextEncoder().encode("abc"));
      assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), ["vc-stdin-live"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "cache-client put ID -: a full TMPDIR is named, with what to do (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using scratch = await tmpfsScratch("vc_put_stdin_full_", { mountOn: "tmp" });
    const { dir, mnt: tmp } = scratch;
    // Never reached: stdin does not fit in TMPDIR.
    const child = spawnPutFromStdin(dir, tmp, "a".repeat(128), {
      url: "http://127.0.0.1:9",
      token: "t",
    });
    const output = child.output();
    const writer = child.stdin.getWriter();
    try {
      for (let i = 0; i < 40; i++) await writer.write(new Uint8Array(64 * 1024));
      await writer.close();
    } catch {
      // It stopped reading: its answer says why.
    }
    const { code, stderr } = await output;
    const text = new TextDecoder().decode(stderr);
    assertEquals(code, 1, text);
    assertStringIncludes(text, "copying standard input (");
    assertStringIncludes(text, "no space left");
    assertStringIncludes(text, "TMPDIR");
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  },
});
