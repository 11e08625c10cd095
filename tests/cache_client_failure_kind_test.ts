/**
 * A cache service's failed answer is a `CacheServiceError` (its class and
 * `status` kept), but its kind was always `VcError`: with `--json`, a token
 * the service refuses (401/403), a service that is down (5xx after the
 * retries) and an upload over its size limit (413) gave the same `kind`, so
 * a CI script could not tell "fix the token" from "try later". Now they are
 * `AccessDeniedError`, `StoreError` and `InvalidInputError`, as README's
 * table of kinds says for a store; the exit code stays 1. Against a real
 * `vc serve` (and a service that answers 503) on 127.0.0.1.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AccessDeniedError, errorKind } from "../src/errors.ts";
import { CacheClient, CacheServiceError } from "../src/server/mod.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { newCacheId, startService } from "./server_helpers.ts";

/** `vc cache-client ARGS --json` in `dir`: its exit code and the error document. */
async function failing(
  dir: string,
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number; error: { name: string; kind: string; message: string } }> {
  const io = memoryIo({ cwd: dir, env: { HOME: dir, ...env } });
  const code = await runCli(["cache-client", ...args, "--json"], io);
  return { code, error: JSON.parse(io.stdout()).error };
}

Deno.test("a refused token is an AccessDeniedError, an upload too large an InvalidInputError", async () => {
  await using service = await startService({ maxUploadBytes: 16 });
  const token = service.tokens.alice;
  const id = (await newCacheId(service.url, token, { kind: 1 })).doc.cache_id as string;
  await Deno.writeTextFile(`${service.dir}/big.txt`, "x".repeat(1000));
  const wrong = { VC_CACHE_URL: service.url, VC_CACHE_TOKEN: "not-a-token" };
  for (
    const args of [
      ["id", '{"kind": 1}'],
      ["get", id, "copy"],
      ["put", id, "big.txt"],
      [
        "rm",
        id,
      ],
    ]
  ) {
    const { code, error } = await failing(service.dir, wrong, args);
    assertEquals(code, 1, `${args[0]}: ${error.message}`);
    assertEquals(error.kind, "AccessDeniedError", `${args[0]}: ${error.message}`);
    assertEquals(error.name, "CacheServiceError");
    assertStringIncludes(error.message, "(401)");
  }
  const right = { VC_CACHE_URL: service.url, VC_CACHE_TOKEN: token };
  const { code, error } = await failing(service.dir, right, ["put", id, "big.txt"]);
  assertEquals(code, 1, error.message);
  assertEquals(error.kind, "InvalidInputError", error.message);
  assertStringIncludes(error.message, "(413)");
  // The library's error keeps its class and status, and is told by instanceof its kind's cause.
  const client = new CacheClient({ url: service.url, token: "not-a-token" });
  const refused = await assertRejects(() => client.getBytes(id), CacheServiceError);
  assertEquals(refused.status, 401);
  assertEquals(errorKind(refused), "AccessDeniedError");
  assertEquals(refused.cause instanceof AccessDeniedError, true);
});

Deno.test("a cache service that answers 5xx is a StoreError after the retries", async () => {
  let requests = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    requests++;
    return Response.json({ status: "error", error: "store down" }, { status: 503 });
  });
  const dir = await Deno.makeTempDir();
  try {
    const env = { VC_CACHE_URL: `http://127.0.0.1:${server.addr.port}`, VC_CACHE_TOKEN: "t" };
    const { code, error } = await failing(dir, env, ["get", "a".repeat(128), "copy"]);
    assertEquals(code, 1, error.message);
    assertEquals(error.kind, "StoreError", error.message);
    assertStringIncludes(error.message, "(503): store down");
    assertEquals(requests, 5, "retried as before");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
