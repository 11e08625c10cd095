/**
 * Process lifetime: what vc opens must not keep a process alive once its work
 * is done, and Ctrl-C must stop a command while it waits on the network.
 *
 * - A script that opens a `Repository` on a PostgreSQL catalog and never
 *   closes it exits at once: the pool's idle connections (and their idle
 *   timer) wait for nothing of the program's.
 * - Those idle connections are still closed after a while, and the next
 *   transaction opens a new one.
 * - `vc add` / `vc update` stop on Ctrl-C while the bucket listing they start
 *   with is stalled, instead of waiting out the CLI's grace period.
 * - So do `vc repo` commands while the marker's read is stalled, and
 *   `Repository.open` rejects with its signal's reason.
 */
import { assert, assertEquals, assertNotEquals, assertStringIncludes } from "./assert.ts";
import { backendAlive, haveOpenssl, havePostgres, pgCases, startPgServer } from "./pg_server.ts";
import { childEnv, testAwsEnv } from "./cli_process.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult, ListOptions, ObjectInfo } from "../src/store/types.ts";
import { Repository } from "../src/repo/repository.ts";
import { silentServer } from "./raw_server.ts";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds from `t0` (default: the spawn) to the exit. */
  ms: number;
}

/** Waits for `child` to exit, killing it after `limitMs`; `timedOut` says so. */
async function waitExit(
  child: Deno.ChildProcess,
  limitMs: number,
  t0 = performance.now(),
): Promise<Exit & { timedOut: boolean }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, limitMs);
  try {
    const out = await child.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return {
      code: out.code,
      stdout: decode(out.stdout),
      stderr: decode(out.stderr),
      ms: performance.now() - t0,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for `child` to print `line` on stdout (killing it after
 * `lineLimitMs`), then to exit within `exitLimitMs` of it; `afterLine` says
 * whether the line came before a kill.
 */
async function exitAfterLine(
  child: Deno.ChildProcess,
  line: string,
  lineLimitMs: number,
  exitLimitMs: number,
): Promise<Exit & { timedOut: boolean; afterLine: boolean }> {
  const t0 = performance.now();
  let timedOut = false;
  let afterLine = false;
  const kill = () => {
    timedOut = true;
    child.kill("SIGKILL");
  };
  let timer = setTimeout(kill, lineLimitMs);
  const read = async (stream: ReadableStream<Uint8Array>, onText?: (text: string) => void) => {
    let text = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      onText?.(text);
    }
    return text;
  };
  try {
    const [stdout, stderr, status] = await Promise.all([
      read(child.stdout, (text) => {
        if (!afterLine && text.includes(line)) {
          afterLine = true;
          clearTimeout(timer);
          timer = setTimeout(kill, exitLimitMs);
        }
      }),
      read(child.stderr),
      child.status,
    ]);
    return { code: status.code, stdout, stderr, ms: performance.now() - t0, timedOut, afterLine };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a script that opens a `Repository` on the PostgreSQL catalog at
 * `catalog`, works with it and never closes it: it must exit well within the
 * pool's 20 s idle timeout.
 */
async function unclosedScriptExits(catalog: string, env: Record<string, string> = {}) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-lifetime-" }));
  try {
    await Deno.writeTextFile(join(dir, "in.csv"), "a,b\n");
    const script = join(dir, "script.ts");
    const repoMod = pathToFileURL(join(ROOT, "src", "repo", "mod.ts")).href;
    await Deno.writeTextFile(
      script,
      `import { Repository } from ${JSON.stringify(repoMod)};\n` +
        `const uri = ${JSON.stringify(pathToFileURL(join(dir, "store")).href)};\n` +
        `const repo = await Repository.init(uri, { catalog: ${JSON.stringify(catalog)} });\n` +
        `const rec = await repo.add("/raw/in.csv", ${
          JSON.stringify(join(dir, "in.csv"))
        }, { tags: ["todo"] });\n` +
        `await repo.publish(rec.id);\n` +
        `const claim = await repo.claim({ tag: "todo", ttlMs: 60_000 });\n` +
        `console.log(await Deno.readTextFile(await repo.download(claim.record.id)));\n` +
        `await repo.release(claim.record.id, claim.holder);\n` +
        // Neither repo.close() nor `await using`: the script just ends here.
        `console.log("done");\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", join(ROOT, "deno.json"), script],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, env),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Pooled connections closed only by the driver's 20 s idle timer held
    // the process that long after its last line. Start-up and the work take
    // what the machine's load makes them take, so the exit is timed from the
    // script's "done" (ci1: 12 s from the spawn was not enough at load 48).
    const exit = await exitAfterLine(child, "done\n", 120_000, 12_000);
    assertEquals(
      exit.timedOut,
      false,
      `the script was still running ${
        exit.afterLine ? "12 s after its last line" : "after 120 s"
      }: ${exit.stderr}`,
    );
    assertEquals(exit.code, 0, exit.stderr);
    assertStringIncludes(exit.stdout, "a,b\n");
    assertStringIncludes(exit.stdout, "done");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "a script that never closes its PostgreSQL Repository over TLS exits once its work is done (needs openssl)",
  ignore: !havePostgres || !haveOpenssl,
  fn: async () => {
    // The driver's own TLS sockets held the process until its 20 s idle
    // timeout; vc's TLS sockets let go of it as its plain ones do.
    await using pg = await startPgServer({ tls: true });
    await unclosedScriptExits(`${pg.url}?sslmode=require`);
    const other = await pg.createDatabase("vc_verify");
    await unclosedScriptExits(
      `${other.replace("127.0.0.1", "localhost")}?sslmode=verify-full&sslrootcert=${pg.caFile}`,
    );
    // The driver's PGSSL, which vc now reads for it.
    await unclosedScriptExits(await pg.createDatabase("vc_pgssl"), { PGSSL: "require" });
  },
});

pgCases("PostgreSQL connections and the process's lifetime", [[
  "a script that never closes its PostgreSQL Repository exits once its work is done",
  (url) => unclosedScriptExits(url),
], [
  "idle PostgreSQL catalog connections are closed after idleCloseMs and reopened when needed",
  async (url) => {
    const pid = (rows: Record<string, unknown>[]) => Number(rows[0]?.["pid"]);
    const catalog = await openPostgresCatalog(url, { idleCloseMs: 200 });
    try {
      const first = await catalog.transaction(
        "read",
        (tx) => tx.query("SELECT pg_backend_pid() AS pid").then(pid),
      );
      // The watcher's own connection is kept busy-free of the idle close: it
      // asks once, after the first catalog's idle time is over.
      await new Promise((r) => setTimeout(r, 800));
      assertEquals(await backendAlive(url, first), false, "the idle connection is still open");
      const second = await catalog.transaction(
        "read",
        (tx) => tx.query("SELECT pg_backend_pid() AS pid").then(pid),
      );
      assert(Number.isInteger(second) && second > 0);
      assertNotEquals(second, first);
    } finally {
      await catalog.close();
    }
  },
]]);

/**
 * Sends SIGINT to `child` (a moment after its request went out) and waits
 * for it: it must end with 130 and "vc: NAME interrupted" alone on stderr.
 */
async function interruptWaiting(child: Deno.ChildProcess, name: string) {
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  child.kill("SIGINT");
  const exit = await waitExit(child, 20_000, t0);
  assertEquals(exit.timedOut, false);
  assertEquals(exit.code, 130, exit.stderr);
  assertEquals(exit.stderr, `vc: ${name} interrupted\n`);
  return exit;
}

/** `vc ARGS` as a child process in `dir` with the release flags, its S3 endpoint `endpoint`. */
function spawnVc(dir: string, args: readonly string[], endpoint: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, join(ROOT, "cli.ts"), ...args],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, testAwsEnv(endpoint)),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A TCP server that accepts connections and never answers. */
function stalledServer(): { url: string; accepted: Promise<void> } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const { promise: accepted, resolve } = Promise.withResolvers<void>();
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conns.push(conn);
        resolve();
      }
    } catch {
      // closed
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    accepted,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) c.close();
      await loop;
    },
  };
}

for (
  const [name, args] of [
    ["add", ["add", "/new.csv", "in.csv", "--bucket", "b"]],
    ["update", ["update", "/a.csv", "in.csv", "--patch", "--bucket", "b"]],
  ] as const
) {
  Deno.test(`Ctrl-C stops vc ${name} while its bucket listing is stalled`, async () => {
    await using server = stalledServer();
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-lifetime-" }));
    try {
      await Deno.writeTextFile(join(dir, "in.csv"), "a\n");
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/a.csv": "1.0.0"}\n');
      const child = spawnVc(dir, args, server.url);
      let limit: ReturnType<typeof setTimeout> | undefined;
      const started = await Promise.race([
        server.accepted.then(() => "connected"),
        child.status.then(() => "exited"),
        new Promise<string>((r) => limit = setTimeout(() => r("timed out"), 30_000)),
      ]);
      clearTimeout(limit);
      if (started !== "connected") {
        if (started === "timed out") child.kill("SIGKILL");
        const exit = await waitExit(child, 5_000);
        throw new Error(`vc ${name} ${started} before it connected to the store: ${exit.stderr}`);
      }
      // Its LIST is now waiting on the stalled store.
      const exit = await interruptWaiting(child, name);
      // Without the signal, the listing is only cut short by the CLI's 5 s
      // grace period (and says nothing then): any exit before it is the
      // interrupt's own, however slow the machine.
      assert(exit.ms < 5_000, `vc ${name} took ${Math.round(exit.ms)} ms to stop`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** A store whose listings never yield anything until their signal aborts. */
class StalledListStore extends MemoryStore {
  override async *list(_prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo> {
    const signal = options.signal;
    await new Promise<never>((_, reject) => {
      // On a loaded machine the 50 ms abort can come before the listing
      // starts: an abort event already fired would never be heard.
      if (signal?.aborted) return reject(signal.reason);
      const limit = setTimeout(() => reject(new Error("the listing was never aborted")), 5_000);
      signal?.addEventListener("abort", () => {
        clearTimeout(limit);
        reject(signal.reason);
      }, { once: true });
    });
    yield* [];
  }
}

Deno.test("VersionedCache add and update pass their signal to the bucket listing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-lifetime-" });
  try {
    await Deno.writeTextFile(join(dir, "in.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "m.json"), '{"/b.csv": "1.0.0"}\n');
    const store = new StalledListStore();
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using vc = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: "s3://bucket",
      cache,
      openStore: () => Promise.resolve(store),
    });
    for (
      const call of [
        (signal: AbortSignal) => vc.add("/a.csv", join(dir, "in.csv"), { signal }),
        (signal: AbortSignal) =>
          vc.update("/b.csv", join(dir, "in.csv"), { patch: true }, { signal }),
      ]
    ) {
      const controller = new AbortController();
      const reason = new DOMException("stop", "AbortError");
      setTimeout(() => controller.abort(reason), 50);
      const error = await call(controller.signal).then(() => undefined, (e: unknown) => e);
      assertEquals(error, reason);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (
  const [name, args] of [
    ["repo ls", ["repo", "ls", "--repo", "s3://b/repo"]],
    ["repo gc", ["repo", "gc", "--dry-run", "--repo", "s3://b/repo"]],
    // Its look for a marker already there.
    ["repo init", ["repo", "init", "s3://b/repo", "--catalog", "sqlite:c.sqlite"]],
    // Its read of the snapshot.
    ["repo restore", ["repo", "restore", "s3://b/snap.jsonl.gz", "--repo", "s3://b/repo"]],
  ] as const
) {
  Deno.test(`Ctrl-C stops vc ${name} while its first store request is stalled`, async () => {
    await using server = silentServer();
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-lifetime-" }));
    try {
      const child = spawnVc(dir, args, server.url);
      const limit = performance.now() + 30_000;
      let exited = false;
      child.status.then(() => exited = true);
      while (server.accepted() === 0 && !exited && performance.now() < limit) {
        await new Promise((r) => setTimeout(r, 50));
      }
      if (server.accepted() === 0) {
        if (!exited) child.kill("SIGKILL");
        const exit = await waitExit(child, 5_000);
        throw new Error(`vc ${name} never connected to the store: ${exit.stderr}`);
      }
      // Its GET of .vc-repo.json is now waiting on the silent store.
      const exit = await interruptWaiting(child, name);
      assertEquals(exit.stdout, "");
      // Without the signal, the open is only cut short by the CLI's 5 s
      // grace period (and says nothing then): any exit before it is the
      // interrupt's own, however slow the machine.
      assert(exit.ms < 5_000, `vc ${name} took ${Math.round(exit.ms)} ms to stop`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** A store whose reads never answer until their signal aborts; counts its closes. */
class StalledGetStore extends MemoryStore {
  closed = 0;
  gets = 0;
  /** Settles once a read has started stalling: the moment to abort (a timer raced it under load). */
  readonly reading = Promise.withResolvers<void>();
  override async get(key: string, options: GetOptions = {}): Promise<GetResult> {
    this.gets++;
    this.reading.resolve();
    const signal = options.signal;
    await new Promise<never>((_, reject) => {
      const limit = setTimeout(() => reject(new Error("the read was never aborted")), 5_000);
      signal?.addEventListener("abort", () => {
        clearTimeout(limit);
        reject(signal.reason);
      }, { once: true });
    });
    return await super.get(key, options);
  }
  override async close(): Promise<void> {
    this.closed++;
    await super.close();
  }
}

Deno.test("Repository.open rejects with its signal's reason and closes its store", async () => {
  // Aborted while the marker's read is stalled.
  const store = new StalledGetStore();
  const controller = new AbortController();
  const reason = new DOMException("stop", "AbortError");
  void store.reading.promise.then(() => controller.abort(reason));
  const error = await Repository.open("memory://stalled", {
    openStore: () => Promise.resolve(store),
    signal: controller.signal,
  }).then(() => undefined, (e: unknown) => e);
  assertEquals(error, reason);
  assertEquals(store.gets, 1);
  assertEquals(store.closed, 1);

  // Aborted before: rejects at once, opening no store.
  const before = new AbortController();
  const early = new Error("already stopped");
  before.abort(early);
  let opened = 0;
  const error2 = await Repository.open("memory://stalled", {
    openStore: () => {
      opened++;
      return Promise.resolve(new StalledGetStore());
    },
    signal: before.signal,
  }).then(() => undefined, (e: unknown) => e);
  assertEquals(error2, early);
  assertEquals(opened, 0);
});

/** A store whose every request (head, get, list, put) waits until its signal aborts. */
class StalledStore extends StalledGetStore {
  override async head(key: string, options: { signal?: AbortSignal } = {}) {
    await this.get(key, options).catch((error) => {
      if (options.signal?.aborted) throw error;
    });
    return undefined;
  }
}

Deno.test("Repository.init and Repository.restore reject with their signal's reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-lifetime-" });
  try {
    const calls = [
      (store: StalledStore, signal: AbortSignal) =>
        Repository.init("memory://stalled", {
          catalog: `sqlite:${join(dir, "c.sqlite")}`,
          openStore: () => Promise.resolve(store),
          signal,
        }),
      (store: StalledStore, signal: AbortSignal) =>
        Repository.restore("s3://stalled/repo", "s3://stalled/snap.jsonl.gz", {
          openStore: () => Promise.resolve(store),
          signal,
        }),
    ];
    for (const call of calls) {
      const store = new StalledStore();
      const controller = new AbortController();
      const reason = new DOMException("stop", "AbortError");
      void store.reading.promise.then(() => controller.abort(reason));
      const error = await call(store, controller.signal).then(() => undefined, (e: unknown) => e);
      assertEquals(error, reason);
      assertEquals(store.gets, 1);
      assertEquals(store.closed, 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Repository.open with a signal that never aborts opens as before", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-lifetime-" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const init = await Repository.init(uri);
    await init.add("/a.txt", new TextEncoder().encode("a"));
    await init.close();
    const controller = new AbortController();
    {
      await using repo = await Repository.open(uri, { signal: controller.signal });
      assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
    }
    // Aborting after the open leaves the repository's own work alone.
    controller.abort();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
