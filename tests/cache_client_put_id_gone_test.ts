/**
 * `vc cache-client put` to an ID the service no longer knows (its
 * placeholder's 7 days are up, or it was deleted) said only the service's
 * `Cache ID not found`: not why, nor that asking for the ID again makes it
 * anew. It says both now, and stays a `CacheServiceError` with the 404.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

Deno.test("cache-client put to a deleted ID says to ask for the ID again", async () => {
  await using service = await startService();
  const token = service.tokens.alice;
  const id = (await newCacheId(service.url, token, { gone: 1 })).doc.cache_id as string;
  const rm = await fetch(`${service.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: token },
  });
  assertEquals(rm.status, 200);
  await rm.body?.cancel();
  await Deno.writeTextFile(`${service.dir}/out.txt`, "output");
  const env = { HOME: service.dir, VC_CACHE_URL: service.url, VC_CACHE_TOKEN: token };
  const io = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "put", id, "out.txt"], io), 1);
  assertStringIncludes(io.stderr(), "(404): Cache ID not found");
  assertStringIncludes(io.stderr(), "ask for it again (`vc cache-client id PARAMS`)");
  const json = memoryIo({ cwd: service.dir, env });
  assertEquals(await runCli(["cache-client", "put", id, "out.txt", "--json"], json), 1);
  const { error } = JSON.parse(json.stdout());
  assertEquals(error.name, "CacheServiceError");
  assertStringIncludes(error.message, "7 days after it was last asked for");
});
