/**
 * S3 keys may end in spaces: `x ` and `x` are two objects. `vc cache ls`
 * printed both as `s3://b/x` (the space invisible at the end of a column),
 * and `vc cache rm` / `invalidate` / `prune` said `removed s3://b/x` for
 * either, so a name copied from them named the other object. A URI that
 * starts or ends with whitespace is now shown in JSON quotes.
 */
import { AssetCache } from "../src/cache/asset_cache.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { testAwsEnv } from "./cli_process.ts";

Deno.test("cache ls/rm show a key's trailing whitespace: s3://b/x and s3://b/x  differ", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-ls-whitespace-" });
  try {
    await s3.putObject("b", "x", "plain");
    await s3.putObject("b", "x ", "spaced");
    const env = {
      ...testAwsEnv(s3.url),
      AWS_CONFIG_FILE: `${dir}/none`,
      AWS_SHARED_CREDENTIALS_FILE: `${dir}/none`,
    };
    {
      await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false, env });
      await cache.cache("s3://b/x");
      await cache.cache("s3://b/x ");
    }
    const cli = new URL("../cli.ts", import.meta.url).pathname;
    const vc = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, cli, ...args, "--cache-dir", `${dir}/cache`],
        env: { ...env, HOME: dir, XDG_CONFIG_HOME: `${dir}/cfg`, NO_COLOR: "1" },
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, text);
      return text;
    };
    const uris = (await vc("cache", "ls")).split("\n").slice(1).map((l) => l.split("  ")[0]);
    assertEquals(uris.filter((u) => u !== ""), ["s3://b/x", '"s3://b/x "']);
    const invalidated = await vc("cache", "invalidate", "s3://b/x ");
    assert(invalidated.startsWith('invalidated "s3://b/x ":'), invalidated);
    assertEquals((await vc("cache", "rm", "s3://b/x ")).trim(), 'removed "s3://b/x "');
    assertEquals((await vc("cache", "rm", "s3://b/x")).trim(), "removed s3://b/x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
