/**
 * An S3-compatible server (or a proxy before it) that echoes the request
 * back in its error body put the session token (`x-amz-security-token: …`)
 * and whatever else it repeated into vc's error: into the message, the
 * SDK's cause under `--verbose`, the retry warnings and `--json`, so into
 * terminals and CI logs. The secret key and the session token are now
 * shown as `***` wherever an answer's text reaches a message.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { S3Store } from "../src/store/s3.ts";
import { StoreError } from "../src/errors.ts";
import { listenToStoreRetries } from "../src/store/retry_notice.ts";

const SECRET_KEY = "echoed-secret-key-0123456789";
const SESSION_TOKEN = "echoed-session-token-FwoGZXIvYXdzEBc";

/** The request's headers (and a secret key a broken server "knows"), as text. */
function echo(req: Request): string {
  const headers = [...req.headers].map(([k, v]) => `${k}: ${v}`).join("; ");
  return `${headers}; secret ${SECRET_KEY}`.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
}

/** A server answering every request with an S3 error that echoes it. */
function echoingServer(status: number, code: string) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    // A DeleteObjects answers 200 with a per-key <Error> holding the echo.
    if (req.method === "POST" && new URL(req.url).search.startsWith("?delete")) {
      return new Response(
        `<?xml version="1.0"?><DeleteResult><Error><Key>k</Key><Code>InternalError</Code>` +
          `<Message>bad: ${echo(req)}</Message></Error></DeleteResult>`,
        { headers: { "content-type": "application/xml" } },
      );
    }
    return new Response(
      `<?xml version="1.0"?><Error><Code>${code}</Code><Message>bad request: ${
        echo(req)
      }</Message><RequestId>r1</RequestId></Error>`,
      { status, headers: { "content-type": "application/xml" } },
    );
  });
}

function assertNoSecret(text: string, what: string): void {
  for (const secret of [SECRET_KEY, SESSION_TOKEN]) {
    assert(!text.includes(secret.slice(0, 12)), `${what} shows ${secret}:\n${text}`);
  }
  // The echoed Authorization header's signature: with the date beside it,
  // anyone reading the log could send that request again for 15 minutes.
  assert(!/Signature=[0-9a-f]{64}/i.test(text), `${what} shows the request's signature:\n${text}`);
}

/**
 * An S3Store on `server` whose credentials hold the secrets a broken server
 * echoes back (`options` added: attempts, multipart threshold).
 */
function echoedStore(
  server: Deno.HttpServer<Deno.NetAddr>,
  options: { maxAttempts: number; multipartThreshold?: number },
): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: {
      accessKeyId: "AKIAECHOTEST",
      secretAccessKey: SECRET_KEY,
      sessionToken: SESSION_TOKEN,
    },
    ...options,
  });
}

/** The message of an error and of each of its causes. */
function chain(error: unknown): string {
  const out: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) out.push(e.message);
  return out.join("\ncaused by: ");
}

Deno.test("S3Store: an error answer echoing the request shows no secret, lean path or SDK's", async () => {
  for (
    const [status, code] of [[400, "InvalidToken"], [403, "AccessDenied"], [
      500,
      "InternalError",
    ]] as const
  ) {
    await using server = echoingServer(status, code);
    await using store = echoedStore(server, {
      maxAttempts: 1,
      multipartThreshold: 5 * 1024 * 1024,
    });
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => store.get("k")],
      ["head", () => store.head("k")],
      ["put", () => store.put("k", new Uint8Array(3))],
      ["list", () => Array.fromAsync(store.list(""))],
      // Multipart goes through the SDK.
      ["multipart put", () => store.put("big", new Uint8Array(6 * 1024 * 1024))],
      ["delete", () => store.delete(["k", "k2"])],
    ];
    for (const [what, call] of calls) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      assert(error instanceof Error, `${status} ${what}: no error`);
      const text = chain(error);
      assertNoSecret(text, `${status} ${what}`);
      // What the server said is still there, but for the secrets.
      if (what !== "head") assertStringIncludes(text, "***", `${status} ${what}: ${text}`);
    }
  }
});

Deno.test("S3Store: the retry notices of the lean path and the SDK's show no echoed secret", async () => {
  await using server = echoingServer(500, "InternalError");
  await using store = echoedStore(server, { maxAttempts: 2, multipartThreshold: 5 * 1024 * 1024 });
  const reasons: string[] = [];
  const stop = listenToStoreRetries((retry) => reasons.push(retry.reason));
  try {
    await assertRejects(() => store.put("k", new Uint8Array(3)));
    // Multipart: CreateMultipartUpload goes through the SDK, retried by it.
    await assertRejects(() => store.put("big", new Uint8Array(6 * 1024 * 1024)));
  } finally {
    stop();
  }
  assert(reasons.some((r) => r.startsWith("CreateMultipartUpload")), reasons.join("\n"));
  for (const reason of reasons) {
    assertNoSecret(reason, "retry notice");
    assertStringIncludes(reason, "***");
  }
});

Deno.test("S3Store: a 200 with an <Error> echoing the request shows no secret", async () => {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      return new Response(
        `<Error><Code>InternalError</Code><Message>${echo(req)}</Message></Error>`,
        { headers: { "content-type": "application/xml" } },
      );
    },
  );
  await using store = echoedStore(server, { maxAttempts: 1 });
  const error = await assertRejects(() => store.put("k", new Uint8Array(3)), StoreError);
  assertNoSecret(chain(error), "put answered 200 <Error>");
});

Deno.test("vc cache get / mirror against a server echoing the request: no secret in plain, --json, -v", async () => {
  await using server = echoingServer(500, "InternalError");
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
    const env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}`,
      AWS_ACCESS_KEY_ID: "AKIAECHOTEST",
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "2",
    };
    for (const args of [["cache", "get", "s3://b/k"], ["mirror", `${dir}/src`, "s3://b/m"]]) {
      for (const extra of [[], ["--json"], ["-v"]]) {
        const r = await vc([...args, ...extra], env);
        assertEquals(r.code, 1, r.stderr);
        assertStringIncludes(r.stderr, "x-amz-security-token: ***");
        assertStringIncludes(r.stderr, "Signature=***");
        assertNoSecret(r.stdout + r.stderr, `vc ${[...args, ...extra].join(" ")}`);
      }
    }
  });
});
