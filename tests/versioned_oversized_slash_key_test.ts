/**
 * A key shaped as a version too large to order, stored with a leading `/`
 * (`/x.9007199254740993.0.0.csv`, as another tool writes keys): `update`
 * refuses the canonical spelling of such a key, but the `/` listing's refusal
 * was taken for a store that cannot hold `/` keys and dropped, so `update`
 * published 1.0.1 below it. Both spellings are now refused alike, and
 * `vc versions` still names either in a warning.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

Deno.test("update refuses a too-large version under the / key as under the canonical one", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await ws.write("one.csv", "one\n");
  await ws.write("two.csv", "two\n");
  const vc = (...args: string[]) => ws.run([...args, "--bucket", "s3://assets"], s3.env);
  await withProcessEnv(s3.env, async () => {
    const cases = [
      { path: "/x.csv", stem: "x", planted: "/x.9007199254740993.0.0.csv" },
      { path: "/y.csv", stem: "y", planted: "y.9007199254740993.0.0.csv" },
    ];
    for (const { path, stem, planted } of cases) {
      const add = await vc("add", path, "one.csv");
      assertEquals(add.code, 0, add.stderr);
      await s3.putObject("assets", planted, "planted\n");

      const listed = await vc("versions", path);
      assertEquals(listed.code, 0, listed.stderr);
      assertEquals(listed.stdout, "1.0.0\n");
      assertStringIncludes(listed.stderr, `${planted} in the bucket is a version of ${path}`);

      const manifest = await ws.read("versioned_assets.json");
      const update = await vc("update", path, "two.csv", "--patch");
      assertFailure(update, 1, `${planted} in the bucket is a version of ${path}`);
      assertEquals(await ws.read("versioned_assets.json"), manifest);
      assertEquals(
        s3.listKeys("assets").filter((k) => k.replace(/^\//, "").startsWith(`${stem}.`)).sort(),
        [planted, `${stem}.1.0.0.csv`].sort(),
        "nothing was published",
      );
    }
  });
});
