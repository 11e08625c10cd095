/**
 * A cache ID of `.` or `..` (from input a program passes on) went into the
 * URL as a path segment, which URL parsing resolves away: `get("..")` asked
 * for `/v1/` instead of `/v1/cache/..` and returned the service's route
 * list as the cached file (200), `download` wrote it to the file, and
 * `rm("..")` sent a DELETE to `/v1/`. Such an ID is refused before any
 * request, as an empty one is.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { CacheClient } from "../src/server/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("CacheClient: a cache ID of . or .. is refused before any request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-cache-client-dot-id-" });
  try {
    const requested: string[] = [];
    // Any request would get a 200 (what a service's root answers).
    const fetchSpy: typeof fetch = (input) => {
      requested.push(String(input));
      return Promise.resolve(Response.json({ routes: {} }));
    };
    const client = new CacheClient({
      url: "http://127.0.0.1:1/cache",
      token: "t",
      fetch: fetchSpy,
    });
    for (const id of [".", ".."]) {
      const calls = [
        () => client.get(id),
        () => client.getBytes(id),
        () => client.download(id, `${dir}/out`),
        () => client.put(id, new Uint8Array([1]), { filename: "a.txt" }),
        () => client.rm(id),
      ];
      for (const call of calls) {
        const error = await assertRejects(call, InvalidInputError);
        assertEquals(
          (error as Error).message.includes(`got ${JSON.stringify(id)}`),
          true,
          (error as Error).message,
        );
      }
    }
    assertEquals(requested, []);
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
