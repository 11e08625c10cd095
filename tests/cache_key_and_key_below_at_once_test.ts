/**
 * S3 allows keys "a" and "a/b" in one bucket; a filesystem cannot hold a
 * file and a directory at one path. Cached one after the other, the second
 * is refused before its GET with vc's own message. Cached at once (a
 * prefill of both, a `Promise.all`), the second is refused the same way,
 * naming both keys, once the first is in place: not after its own download
 * with the system's rename error, and with no temp file left behind.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { dirname } from "../src/path.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";

for (const first of ["a", "a/b"]) {
  const second = first === "a" ? "a/b" : "a";
  Deno.test(`s3://b/${first} and s3://b/${second} cached at once: one refused with the clash message`, async () => {
    await withS3Cache(async (s3, make) => {
      await s3.putObject("b", "a", "file");
      await s3.putObject("b", "a/b", "below");
      const cache = make();
      const results = await Promise.allSettled([
        cache.cache(`s3://b/${first}`),
        cache.cache(`s3://b/${second}`),
      ]);
      const keys = [first, second];
      const ok = results.flatMap((r, i) =>
        r.status === "fulfilled" ? [{ key: keys[i], path: r.value }] : []
      );
      const refused = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
      assertEquals(ok.length, 1);
      assertEquals(refused.length, 1);
      const e = refused[0];
      assert(e instanceof InvalidInputError, String(e));
      assertStringIncludes(e.message, "taken by a directory or a file of another key");
      assertStringIncludes(e.message, "s3://b/a ");
      assertStringIncludes(e.message, "s3://b/a/b");
      assert(!/os error|ENOTDIR|EISDIR|rename /.test(e.message), e.message);
      // Refused before its GET: one download only.
      assertEquals(s3.stats.GetObject, 1);
      // The other is cached, and nothing else is left beside it.
      const { key, path } = ok[0]!;
      assertEquals(await Deno.readTextFile(path), key === "a" ? "file" : "below");
      const top = key === "a" ? dirname(path) : dirname(dirname(path));
      assertEquals([...Deno.readDirSync(top)].map((d) => d.name), ["a"]);
    });
  });
}

Deno.test("a missing key and a key below it cached at once: the one below is cached", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "m/b", "below");
    const cache = make();
    const [missing, below] = await Promise.allSettled([
      cache.cache("s3://b/m"),
      cache.cache("s3://b/m/b"),
    ]);
    assert(missing.status === "rejected" && missing.reason instanceof NotFoundError);
    assert(below.status === "fulfilled", below.status === "rejected" ? String(below.reason) : "");
    assertEquals(await Deno.readTextFile(below.value), "below");
  });
});

Deno.test("vc prefill of a key and a key below it: one cached, the other refused naming both", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "a", "file");
  await s3.putObject("b", "a/b", "below");
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(`${dir}/list.txt`, "s3://b/a\ns3://b/a/b\n");
    const r = await vc(["prefill", "--list", "list.txt"], testAwsEnv(s3.url));
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "taken by a directory or a file of another key");
    assertStringIncludes(r.stderr, "was cached at the same time");
    assert(!/os error|rename /.test(r.stderr), r.stderr);
    assertStringIncludes(r.stderr, "1 of 2 items failed");
    assertEquals(s3.stats.GetObject, 1);
  });
});
