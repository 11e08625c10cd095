/**
 * The README's bucket rules refuse a `file://` bucket with an unencoded `?`
 * or `#` (they end a file URI's path). `--bucket`, `VC_BUCKET` and a project
 * `vc.json` took `file:///dir/b#1` as `file:///dir/b` without a word, so
 * `vc add` published into another directory than the one named.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { existsSync } from "./path_exists.ts";

Deno.test("a file:// bucket with an unencoded ? or # is refused, nothing published", async () => {
  const cwd = await Deno.realPath(await Deno.makeTempDir());
  try {
    const env = { HOME: cwd, VC_CACHE_DIR: `${cwd}/cache` };
    await Deno.writeTextFile(`${cwd}/x.csv`, "x");
    const base = pathToFileURL(`${cwd}/b`).href;
    for (const bucket of [`${base}#1`, `${base}?v=1`]) {
      const add = ["add", "/x.csv", `${cwd}/x.csv`, "--manifest", `${cwd}/m.json`];
      const flag = memoryIo({ env, cwd });
      assertEquals(await runCli([...add, "--bucket", bucket], flag), 2, flag.stderr());
      assertStringIncludes(flag.stderr(), `--bucket ${JSON.stringify(bucket)} is not a bucket`);
      assertStringIncludes(flag.stderr(), "%23");
      const fromEnv = memoryIo({ env: { ...env, VC_BUCKET: bucket }, cwd });
      assertEquals(await runCli(add, fromEnv), 1, fromEnv.stderr());
      assertStringIncludes(fromEnv.stderr(), "VC_BUCKET");
      await Deno.writeTextFile(`${cwd}/vc.json`, JSON.stringify({ bucket }));
      const project = memoryIo({ env, cwd });
      assertEquals(await runCli(add, project), 1, project.stderr());
      assertStringIncludes(project.stderr(), "is not a bucket");
      await Deno.remove(`${cwd}/vc.json`);
      assert(!existsSync(`${cwd}/b`), "published into the directory the URI was cut to");
      assert(!existsSync(`${cwd}/m.json`), "manifest written");
    }
    // Percent-encoded, the `#` is the directory name's.
    const io = memoryIo({ env, cwd });
    const add = ["add", "/x.csv", `${cwd}/x.csv`, "--manifest", `${cwd}/m.json`];
    assertEquals(await runCli([...add, "--bucket", `${base}%231`], io), 0, io.stderr());
    assert(existsSync(`${cwd}/b#1/x.1.0.0.csv`), io.stdout());
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
