/**
 * `vc serve`, `vc serve add-token|expire` and `vc cache-client` as real
 * processes with the release permissions: two servers over one store serve
 * the same caches, and SIGTERM shuts a server down cleanly.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { servedUrl } from "./serve_process.ts";
import { closedPort } from "./closed_port.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

interface ServerProcess extends AsyncDisposable {
  url: string;
  child: Deno.ChildProcess;
  stderr: () => Promise<string>;
}

/**
 * Starts `vc serve ... --port 0` and waits (bounded) for its "listening on"
 * line; with `openFileLimit`, under that `ulimit -n` (POSIX shells only).
 */
async function startServer(
  cwd: string,
  args: string[],
  openFileLimit?: number,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const command = [
    Deno.execPath(),
    "run",
    ...PERMISSION_FLAGS,
    CLI,
    "serve",
    "--port",
    "0",
    ...args,
  ];
  const child = new Deno.Command(openFileLimit === undefined ? command[0]! : "sh", {
    args: openFileLimit === undefined
      ? command.slice(1)
      : ["-c", `ulimit -n ${openFileLimit} && exec "$@"`, "sh", ...command],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { url, stderr, stdoutEnd } = await servedUrl(child);
  return {
    url,
    child,
    stderr: async () => {
      await stdoutEnd;
      return await stderr;
    },
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await child.status;
      await stdoutEnd.catch(() => {});
      await stderr.catch(() => {});
    },
  };
}

Deno.test({
  name: "serve cli: two processes over one store share caches; SIGTERM exits cleanly",
  // Signals to child processes are POSIX-only.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const tokens = join(dir, "tokens.json");
      const added = ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add");
      const token = added.stdout.trim();
      assertMatch(token, /^[0-9a-f]{64}$/);
      const store = pathToFileURL(join(dir, "store")).href;
      await Deno.mkdir(join(dir, "store"));
      const common = ["--store", store, "--token-file", tokens, "--base-path", "/cache"];
      await using a = await startServer(dir, common);
      await using b = await startServer(dir, common);
      assert(a.url !== b.url && a.url.endsWith("/cache"));
      const env = (url: string) => ({ VC_CACHE_URL: url, VC_CACHE_TOKEN: token });

      const id = ok(await vc(["cache-client", "id", '{"xyz": 123}'], env(a.url)), "id").stdout
        .trim();
      assertMatch(id, /^[0-9a-f]{128}$/);
      await Deno.writeTextFile(join(dir, "result.csv"), "a,b\n1,2\n");
      const put = ok(await vc(["cache-client", "put", id, "result.csv"], env(a.url)), "put");
      assertStringIncludes(put.stderr + put.stdout, "uploaded result.csv");
      // Stored under another name: the line says which.
      const renamed = ok(
        await vc(["cache-client", "put", id, "result.csv", "--filename", "other.csv"], env(a.url)),
        "put --filename",
      );
      assertStringIncludes(renamed.stderr + renamed.stdout, "uploaded result.csv as other.csv");
      ok(await vc(["cache-client", "put", id, "result.csv"], env(a.url)), "put back");
      // The other server serves it: no state in either process.
      const got = ok(await vc(["cache-client", "get", id], env(b.url)), "get");
      assertEquals(got.stdout, "a,b\n1,2\n");
      ok(await vc(["cache-client", "get", id, "copy.csv"], env(b.url)), "get to file");
      assertEquals(await Deno.readTextFile(join(dir, "copy.csv")), "a,b\n1,2\n");
      // The same JSON with other spacing is the same ID, through the other server.
      const again = ok(
        await vc(["cache-client", "id", '{ "xyz":123 }', "--json"], env(b.url)),
        "id",
      );
      const doc = JSON.parse(again.stdout);
      assertEquals([doc.cacheId, doc.filename, doc.tokenId], [
        id,
        "result.csv",
        "token-file:alice",
      ]);

      ok(await vc(["cache-client", "rm", id], env(b.url)), "rm");
      const miss = await vc(["cache-client", "get", id], env(a.url));
      assertEquals(miss.code, 1);
      assertStringIncludes(miss.stderr, "has no file");
      const denied = await vc(["cache-client", "id", '{"a": 1}'], {
        VC_CACHE_URL: a.url,
        VC_CACHE_TOKEN: "wrong",
      });
      assertEquals(denied.code, 1);
      assertStringIncludes(denied.stderr, "401");

      // An entry whose expiry has passed (written as a server would have, long ago).
      const oldId = "e".repeat(128);
      await Deno.mkdir(join(dir, "store", "meta"), { recursive: true });
      await Deno.mkdir(join(dir, "store", "data", oldId), { recursive: true });
      await Deno.writeTextFile(join(dir, "store", "data", oldId, "d1"), "old data");
      await Deno.writeTextFile(
        join(dir, "store", "meta", `${oldId}.json`),
        JSON.stringify({
          owner: "token-file:alice",
          filename: "old.txt",
          expiresAt: Date.now() - 1000,
          size: 8,
          dataKey: `data/${oldId}/d1`,
          etag: "x",
        }),
      );
      const expired = ok(
        await vc(["serve", "expire", "--store", store, "--json", "--recount-usage"]),
        "expire",
      );
      const counts = JSON.parse(expired.stdout);
      assertEquals([counts.removed, counts.bytesRemoved, counts.identities], [1, 8, 0]);
      const gone = await Deno.stat(join(dir, "store", "meta", `${oldId}.json`)).then(
        () => false,
        (e) => e instanceof Deno.errors.NotFound,
      );
      assert(gone, "the expired entry's metadata was removed");

      // SIGTERM: a graceful exit with status 0, and one JSON log line per request.
      a.child.kill("SIGTERM");
      const status = await a.child.status;
      assertEquals(status.code, 0);
      const lines = (await a.stderr()).trim().split("\n").map((l) => JSON.parse(l));
      assert(
        lines.some((l) => l.method === "POST" && l.route === "/v1/cache/{id}" && l.status === 200),
      );
      assert(lines.every((l) => typeof l.request_id === "string"));
      assert(!(await a.stderr()).includes(token), "the token must never be logged");
    });
  },
});

Deno.test({
  name: "serve cli: connections that take every file descriptor do not stop the server",
  // ulimit through sh, signals: POSIX only.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const tokens = join(dir, "tokens.json");
      ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add");
      await Deno.mkdir(join(dir, "store"));
      const store = pathToFileURL(join(dir, "store")).href;
      await using server = await startServer(dir, ["--store", store, "--token-file", tokens], 128);
      const { hostname, port } = new URL(server.url);
      // Idle connections, as many as it takes (bounded) for accepting to fail.
      const conns: Deno.TcpConn[] = [];
      try {
        for (let i = 0; i < 400; i++) {
          try {
            conns.push(await Deno.connect({ hostname, port: Number(port) }));
          } catch {
            break; // refused: the listener is gone (the failure this test is about)
          }
        }
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        for (const c of conns) c.close();
      }
      assert(conns.length >= 100, `only ${conns.length} connections were opened`);
      // Listening again within the retry delays (bounded poll).
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await fetch(`${server.url}/healthz`).then(
          async (r) => (await r.body?.cancel(), r.status),
          () => 0,
        );
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(status, 200);
      server.child.kill("SIGTERM");
      assertEquals((await server.child.status).code, 0);
      assertStringIncludes(await server.stderr(), "accepting connections failed");
    });
  },
});

Deno.test("serve cli: usage errors name the missing flag", async () => {
  await withWorkspace(async (_dir, vc) => {
    const noAuth = await vc(["serve", "--store", "file:///tmp/x"]);
    assertEquals(noAuth.code, 2);
    assertStringIncludes(noAuth.stderr, "--token-file");
    const noFile = await vc(["serve", "--store", "file:///tmp/x", "--token-file", "nope.json"]);
    assertEquals(noFile.code, 2);
    assertStringIncludes(noFile.stderr, "vc serve add-token");
    const noStore = await vc(["serve", "expire"]);
    assertEquals(noStore.code, 2);
    assertStringIncludes(noStore.stderr, "--store");
    const noUrl = await vc(["cache-client", "rm", "f".repeat(128)]);
    assertEquals(noUrl.code, 2);
    assertStringIncludes(noUrl.stderr, "VC_CACHE_URL");
  });
});

Deno.test("serve cli: a store that refuses the credentials or has no such bucket is not served; one that is down is, with a warning", async () => {
  // A store that refuses every request as S3 does a wrong secret key.
  const refusing = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code>` +
        `<Message>The request signature we calculated does not match the signature you provided.</Message></Error>`,
      { status: 403, headers: { "content-type": "application/xml" } },
    ));
  await using s3 = await startFakeS3({ buckets: ["there"] });
  const refused = closedPort();
  try {
    await withWorkspace(async (dir, vc) => {
      ok(await vc(["serve", "add-token", "alice", "--token-file", "t.json"]), "add-token");
      const serve = (store: string, endpoint: string) =>
        vc(["serve", "--store", store, "--token-file", "t.json", "--port", "0"], {
          ...s3.env,
          AWS_ENDPOINT_URL: endpoint,
          AWS_ENDPOINT_URL_S3: endpoint,
        });
      const denied = await serve("s3://there/cache", `http://127.0.0.1:${refusing.addr.port}`);
      assertEquals(denied.code, 1, denied.stderr);
      assertStringIncludes(denied.stderr, "SignatureDoesNotMatch");
      assert(!denied.stdout.includes("listening"), denied.stdout);
      const missing = await serve("s3://nosuchbucket/cache", s3.url);
      assertEquals(missing.code, 1, missing.stderr);
      assertStringIncludes(missing.stderr, "nosuchbucket");
      assert(!missing.stdout.includes("listening"), missing.stdout);
      // Down: it starts (and answers 503 until the store is back), saying so.
      await using down = await startServer(
        dir,
        [
          "--store",
          "s3://there/cache",
          "--token-file",
          "t.json",
        ],
        undefined,
        {
          ...s3.env,
          AWS_ENDPOINT_URL: `http://127.0.0.1:${refused}`,
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${refused}`,
          VC_RETRIES: "1",
        },
      );
      const res = await fetch(`${down.url}/v1/cache_id`, {
        method: "POST",
        headers: { authorization: "x" },
        body: "{}",
      });
      await res.body?.cancel();
      down.child.kill("SIGTERM");
      assertStringIncludes(await down.stderr(), "cannot be reached now");
    });
  } finally {
    await refusing.shutdown();
  }
});

Deno.test("serve cli: a malformed token file is a clear error, and vc serve does not start on it", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "bad.json"), "{");
    const add = await vc(["serve", "add-token", "bob", "--token-file", "bad.json"]);
    assertEquals(add.code, 1);
    assertStringIncludes(
      add.stderr,
      `vc: invalid JSON in token file ${join(dir, "bad.json")} at line 1, column 2`,
    );
    assertEquals(await Deno.readTextFile(join(dir, "bad.json")), "{");
    // Without the check it listened and answered every request 500; killed
    // after 20 s if it starts.
    const serve = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSION_FLAGS, CLI, "serve", "--store", `file://${join(dir, "store")}`]
        .concat(["--token-file", "bad.json", "--port", "0"]),
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    const out = new TextDecoder().decode(serve.stdout);
    assert(!out.includes("listening"), out);
    assertEquals(serve.code, 1);
    assertStringIncludes(new TextDecoder().decode(serve.stderr), "invalid JSON in token file");
  });
});

Deno.test("serve cli: an auth URL or base path no request could use is a usage error", async () => {
  await withWorkspace(async (_dir, vc) => {
    ok(await vc(["serve", "add-token", "alice", "--token-file", "t.json"]), "add-token");
    for (const url of ["notaurl", "ftp://x", "javascript:alert(1)"]) {
      const r = await vc(["serve", "--store", "file:///tmp/x", "--auth-url", url]);
      assertEquals(r.code, 2, `${url}: ${r.stderr}`);
      assertStringIncludes(r.stderr, "--auth-url");
      assertStringIncludes(r.stderr, JSON.stringify(url));
    }
    for (const base of ["/a?b", "/a#b", "/a/../b", "/a b", "/a//b"]) {
      const r = await vc(["serve", "--store", "file:///tmp/x", "--token-file", "t.json"].concat([
        "--base-path",
        base,
      ]));
      assertEquals(r.code, 2, `${base}: ${r.stderr}`);
      assertStringIncludes(r.stderr, "--base-path");
    }
  });
});

Deno.test("serve cli: --auth-cache-ttl without --auth-url is a usage error, not ignored", async () => {
  await withWorkspace(async (_dir, vc) => {
    ok(await vc(["serve", "add-token", "alice", "--token-file", "t.json"]), "add-token");
    // "abc" was ignored: vc serve started on the token file. The port is
    // taken, so that a serve which starts fails (exit 1) instead of running on.
    using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = String((taken.addr as Deno.NetAddr).port);
    for (const ttl of ["abc", "10m"]) {
      const r = await vc([
        "serve",
        "--store",
        "file:///tmp/x",
        "--token-file",
        "t.json",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--auth-cache-ttl",
        ttl,
      ]);
      assertEquals(r.code, 2, `${ttl}: ${r.stderr}`);
      assertStringIncludes(r.stderr, "--auth-cache-ttl only applies with --auth-url");
    }
  });
});
