/**
 * A cold download used to `stat` the cache dir before each object (to make
 * it again, private, when a cleanup had removed it under a running
 * process): one system call and one `FileInfo` per object on the cold path,
 * though the shared temp file's creation already fails when the dir is gone.
 * Now the dir is looked at only where that creation fails for want of its
 * parents (or when no lock could be had); the removed and replaced cases
 * stay covered by tests/cache_dir_gone_while_running_test.ts.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";

Deno.test("cold downloads into an existing cache dir do not stat the cache dir per object", async () => {
  await withS3Cache(async (s3, make, dir) => {
    const names = Array.from({ length: 12 }, (_, i) => `k${i}.txt`);
    for (const n of [...names, "first.txt"]) await s3.putObject("b", n, n);
    const cache = make();
    // The first download makes the dir (and loads the modules).
    await cache.cache("s3://b/first.txt");
    let looks = 0;
    const { stat, statSync } = Deno;
    const count = (path: string | URL) => {
      if (String(path) === dir) looks++;
    };
    try {
      Deno.stat = (path) => (count(path), stat(path));
      Deno.statSync = (path) => (count(path), statSync(path));
      const paths = await Promise.all(names.map((n) => cache.cache(`s3://b/${n}`)));
      for (const [i, p] of paths.entries()) assertEquals(await Deno.readTextFile(p), names[i]);
    } finally {
      Deno.stat = stat;
      Deno.statSync = statSync;
    }
    assertEquals(looks, 0);
  });
});

Deno.test(
  "a cache dir removed under a running process is made again private for a key in a new directory",
  {
    // No POSIX modes on Windows.
    ignore: Deno.build.os === "windows",
  },
  async () => {
    await withS3Cache(async (s3, make, dir) => {
      await s3.putObject("b", "one.txt", "1");
      await s3.putObject("b", "p/q/two.txt", "2");
      const cache = make();
      await cache.cache("s3://b/one.txt");
      await Deno.remove(dir, { recursive: true });
      assertEquals(await Deno.readTextFile(await cache.cache("s3://b/p/q/two.txt")), "2");
      assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o700);
    });
  },
);

Deno.test("a cache dir replaced by a file is named as such for a key in a new directory", async () => {
  await withS3Cache(async (s3, make, dir) => {
    await s3.putObject("b", "one.txt", "1");
    await s3.putObject("b", "p/q/two.txt", "2");
    const cache = make();
    await cache.cache("s3://b/one.txt");
    await Deno.remove(dir, { recursive: true });
    await Deno.writeTextFile(dir, "not a cache");
    try {
      const e = await assertRejects(() => cache.cache("s3://b/p/q/two.txt"), InvalidInputError);
      assertStringIncludes(e.message, `the cache dir ${dir} is not a directory`);
      assertEquals(await Deno.readTextFile(dir), "not a cache");
    } finally {
      // withS3Cache removes the dir recursively: a file is removed as well.
      await Deno.remove(dir);
      await Deno.mkdir(dir);
    }
  });
});
