/**
 * Issue 7, cache side, over real `vc` processes: SIGINT during prefill, a
 * lock held by a stopped process, and the prefill/cache CLI edges.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "cli.ts");

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-harden-p-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function baseEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: join(dir, "home"),
    VC_CACHE_DIR: join(dir, "cache"),
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    ...extra,
  };
}

function vcCommand(
  dir: string,
  args: string[],
  env: Record<string, string>,
  stdin: "null" | "piped" = "null",
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
    cwd: dir,
    env,
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

async function vc(
  dir: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = vcCommand(dir, args, env, input === undefined ? "null" : "piped").spawn();
  if (input !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const out = await child.output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(p);
    }
  };
  await walk(dir).catch(() => {});
  return out;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * An S3-like server whose GETs (ranged ones too) send a first chunk and then
 * stall until released: downloads stay in flight, large ones in parallel.
 */
function stallingServer(size: number): { url: string; close: () => Promise<void> } {
  const release = new AbortController();
  const first = new Uint8Array(256 * 1024).fill(7);
  const etag = `"${"0".repeat(31)}1"`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const headers: Record<string, string> = {
      "content-length": String(size),
      etag,
      "last-modified": new Date().toUTCString(),
    };
    if (req.method === "HEAD") return new Response(null, { headers });
    let status = 200;
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.get("range") ?? "");
    if (range) {
      const start = Number(range[1]);
      const end = range[2] === "" ? size - 1 : Number(range[2]);
      status = 206;
      headers["content-length"] = String(end - start + 1);
      headers["content-range"] = `bytes ${start}-${end}/${size}`;
    }
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(first);
      },
      pull(c) {
        return new Promise((resolve) => {
          const end = () => {
            c.error(new Error("released"));
            resolve();
          };
          if (release.signal.aborted) end();
          else release.signal.addEventListener("abort", end, { once: true });
        });
      },
    });
    return new Response(body, { status, headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      release.abort();
      await server.shutdown();
    },
  };
}

Deno.test({
  name: "issue 7.8: SIGINT during vc prefill leaves no temp files and no empty records",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    // Small objects (one GET) and large ones (parallel ranged GETs, hash workers).
    const server = stallingServer(64 * 1024 * 1024);
    try {
      await withDir(async (dir) => {
        await Deno.mkdir(join(dir, "home"));
        const list = join(dir, "list.txt");
        await Deno.writeTextFile(
          list,
          Array.from({ length: 4 }, (_, i) => `s3://b/big${i}.bin`).join("\n"),
        );
        const env = baseEnv(dir, { AWS_ENDPOINT_URL: server.url });
        const child = vcCommand(dir, ["prefill", "--list", list], env).spawn();
        const cache = join(dir, "cache");
        await waitFor(
          "temp files of downloads in flight",
          async () => (await allFiles(cache)).filter((p) => p.includes(".vc-tmp-")).length >= 4,
        );
        child.kill("SIGINT");
        const out = await child.output();
        assertEquals(out.code, 130, new TextDecoder().decode(out.stderr));
        const left = await allFiles(cache);
        assertEquals(left.filter((p) => p.includes(".vc-tmp-")), []);
        const empty = [];
        for (const p of left) if ((await Deno.stat(p)).size === 0) empty.push(p);
        assertEquals(empty, []);
      });
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name:
    "issue 7.8: after kill -9, the next vc cache prune removes the dead writer's temp files and records",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const server = stallingServer(64 * 1024 * 1024);
    try {
      await withDir(async (dir) => {
        await Deno.mkdir(join(dir, "home"));
        const list = join(dir, "list.txt");
        await Deno.writeTextFile(list, "s3://b/big0.bin\ns3://b/big1.bin\n");
        const env = baseEnv(dir, { AWS_ENDPOINT_URL: server.url });
        const child = vcCommand(dir, ["prefill", "--list", list], env).spawn();
        const cache = join(dir, "cache");
        const temps = async () => (await allFiles(cache)).filter((p) => p.includes(".vc-tmp-"));
        // Its downloads' temp files (a holder's note may come beside each).
        const downloads = async () => (await temps()).filter((p) => !p.endsWith("-0-holder"));
        await waitFor("temp files", async () => (await downloads()).length >= 2);
        const past = new Date(Date.now() - 60_000);
        // While the writer lives, its (old-looking) temp files are left alone.
        const before = await temps();
        for (const p of before) await Deno.utime(p, past, past);
        const live = await vc(dir, ["cache", "prune", "--max-size", "1TB"], env);
        assertEquals(live.code, 0, live.stderr);
        const after = await temps();
        assertEquals(before.filter((p) => !after.includes(p)), []);
        child.kill("SIGKILL");
        await child.output();
        const left = await temps();
        assert(left.length >= 2, "kill -9 leaves temp files behind");
        // As if the next run came a little later (a writer between create and
        // lock is given a few seconds); the owner's pid is not readable by the
        // binary (no /proc access), its dead lock tells.
        for (const p of left) await Deno.utime(p, past, past);
        const r = await vc(dir, ["cache", "prune", "--max-size", "1TB"], env);
        assertEquals(r.code, 0, r.stderr);
        assertEquals(await temps(), []);
        const empty = [];
        for (const p of await allFiles(cache)) if ((await Deno.stat(p)).size === 0) empty.push(p);
        assertEquals(empty, []);
      });
    } finally {
      await server.close();
    }
  },
});

Deno.test("issue 7.8: the next vc prefill cleans a dead run's temp files and empty records where it works", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "home"));
    await s3.putObject("b", "d/x.csv", "x");
    const env = baseEnv(dir, { AWS_ENDPOINT_URL: s3.url });
    // What a run killed with -9 leaves: a temp file nobody holds, an empty record.
    const data = join(dir, "cache", `s3@127.0.0.1_${s3.port}`, "b", "d");
    const meta = join(dir, "cache", ".meta", `s3@127.0.0.1_${s3.port}`, "b", "d");
    await Deno.mkdir(data, { recursive: true });
    await Deno.mkdir(meta, { recursive: true });
    const temp = join(data, ".y.csv.vc-tmp-999999999-abcd1234");
    await Deno.writeTextFile(temp, "partial");
    const past = new Date(Date.now() - 60_000);
    await Deno.utime(temp, past, past);
    await Deno.writeTextFile(join(meta, "y.csv%.json"), "");
    await Deno.writeTextFile(join(dir, "list.txt"), "s3://b/d/x.csv\n");
    const r = await vc(dir, ["prefill", "--list", "list.txt"], env);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(
      (await allFiles(join(dir, "cache"))).map((p) => p.slice(dir.length)).sort(),
      [
        `/cache/.meta/s3@127.0.0.1_${s3.port}/b/d/%records.jsonl`,
        `/cache/s3@127.0.0.1_${s3.port}/b/d/x.csv`,
      ],
    );
  });
});

Deno.test({
  name: "issue 7.15: a lock held by a stopped process is named, and the wait ends (VC_LOCK_WAIT)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.mkdir(join(dir, "home"));
      await Deno.writeTextFile(join(dir, "a.txt"), "payload");
      const uri = pathToFileURL(join(dir, "a.txt")).href;
      const env = baseEnv(dir, { VC_LOCK_WAIT: "1" });
      // The entry's lock (its shared temp file), as a stopped `cache get` would hold it.
      const first = await vc(dir, ["cache", "get", uri], env);
      assertEquals(first.code, 0, first.stderr);
      const local = first.stdout.trim();
      await Deno.writeTextFile(local, "PAYLOAD"); // changed, so the next get must download
      const record = join(dirname(local), `.${basename(local)}.vc-tmp-0-shared`);
      await Deno.writeTextFile(join(dir, "a.txt"), "payload v2");
      const holder = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `const f = Deno.openSync(${
            JSON.stringify(record)
          }, { read: true, write: true, create: true });
           f.lockSync(true); console.log("locked"); setTimeout(() => {}, 120_000);`,
        ],
        stdout: "piped",
        stderr: "null",
      }).spawn();
      try {
        const reader = holder.stdout.getReader();
        const { value } = await reader.read();
        assertStringIncludes(new TextDecoder().decode(value), "locked");
        reader.releaseLock();
        const second = await vc(dir, ["cache", "get", uri, "--timeout", "0"], env);
        assertEquals(second.code, 0, second.stderr);
        // Whose lock: the pid where /proc/locks is readable (it needs --allow-all
        // in Deno), else "another process"; always the lock file and the entry.
        assert(
          second.stderr.includes(`process ${holder.pid}`) ||
            second.stderr.includes("another process"),
          second.stderr,
        );
        assertStringIncludes(second.stderr, record);
        assertStringIncludes(second.stderr, uri);
        assertStringIncludes(second.stderr, "VC_LOCK_WAIT");
        assertEquals(await Deno.readTextFile(second.stdout.trim()), "payload v2");
      } finally {
        holder.kill("SIGKILL");
        await holder.status;
        await holder.stdout.cancel().catch(() => {});
      }
    });
  },
});

Deno.test("issue 7/11: prefill --list of plain URIs needs no bucket, ignores the cwd manifest, reads stdin", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "home"));
    await s3.putObject("b", "x.csv", "x");
    await s3.putObject("b", "y.csv", "y");
    await Deno.writeTextFile(join(dir, "local.txt"), "local");
    // A manifest in the cwd that must not be used (its entry cannot resolve).
    await Deno.writeTextFile(
      join(dir, "versioned_assets.json"),
      JSON.stringify({ "/nope.csv": "1.0.0" }),
    );
    await Deno.writeTextFile(
      join(dir, "list.txt"),
      `s3://b/x.csv\n${pathToFileURL(join(dir, "local.txt")).href}\n`,
    );
    const env = baseEnv(dir, { AWS_ENDPOINT_URL: s3.url });
    const r = await vc(dir, ["prefill", "--list", "list.txt", "--json"], env);
    assertEquals(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { total: number; fetched: number };
    assertEquals([summary.total, summary.fetched], [2, 2]);
    const s = await vc(dir, ["prefill", "--list", "-", "--json"], env, "s3://b/y.csv\n");
    assertEquals(s.code, 0, s.stderr);
    assertEquals((JSON.parse(s.stdout) as { fetched: number }).fetched, 1);
  });
});

Deno.test({
  name: "issue 7 messages: --list /dev/zero is capped with a clear error",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withDir(async (dir) => {
      await Deno.mkdir(join(dir, "home"));
      const r = await vc(dir, ["prefill", "--list", "/dev/zero"], baseEnv(dir));
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "/dev/zero");
      assertStringIncludes(r.stderr, "larger than");
      assert(!r.stderr.includes("internal error"), r.stderr);
    });
  },
});

Deno.test("issue 7 messages: cache ls shows the endpoint and warns about NFC/NFD look-alikes; invalidate and prune --dry-run", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "home"));
    const nfc = "caf\u00e9.txt";
    const nfd = "cafe\u0301.txt";
    await s3.putObject("b", nfc, "1");
    await s3.putObject("b", nfd, "2");
    const env = baseEnv(dir, { AWS_ENDPOINT_URL: s3.url });
    for (const k of [nfc, nfd]) {
      const g = await vc(dir, ["cache", "get", `s3://b/${k}`], env);
      assertEquals(g.code, 0, g.stderr);
    }
    const ls = await vc(dir, ["cache", "ls"], env);
    assertEquals(ls.code, 0, ls.stderr);
    assertStringIncludes(ls.stdout, `127.0.0.1:${s3.port}`);
    assertStringIncludes(ls.stderr, "NFC vs NFD");
    const inv = await vc(dir, ["cache", "invalidate", `s3://b/${nfc}`], env);
    assertEquals(inv.code, 0, inv.stderr);
    const ls2 = await vc(dir, ["cache", "ls"], env);
    assert(!ls2.stdout.includes("1970"), ls2.stdout);
    assertStringIncludes(ls2.stdout, "invalidated");
    // In --json the same entry's validatedAt is the epoch, as the README says.
    const json = await vc(dir, ["cache", "ls", "--json"], env);
    const dates = Object.fromEntries(
      (JSON.parse(json.stdout) as { uri: string; validatedAt: string }[])
        .map((e) => [e.uri, e.validatedAt]),
    );
    assertEquals(dates[`s3://b/${nfc}`], "1970-01-01T00:00:00.000Z");
    assert(dates[`s3://b/${nfd}`] !== "1970-01-01T00:00:00.000Z", json.stdout);
    const notCached = await vc(dir, ["cache", "invalidate", "s3://b/other.txt"], env);
    assertStringIncludes(notCached.stdout + notCached.stderr, "not cached");
    const dry = await vc(dir, ["cache", "prune", "--max-size", "0", "--dry-run"], env);
    assertEquals(dry.code, 0, dry.stderr);
    assertStringIncludes(dry.stdout, "would remove 2 files");
    const after = await vc(dir, ["cache", "ls", "--json"], env);
    assertEquals((JSON.parse(after.stdout) as unknown[]).length, 2);
  });
});
