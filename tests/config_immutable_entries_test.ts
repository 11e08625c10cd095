// immutableBuckets entries that could match no cache entry (`b/prefix` for
// s3://b/prefix, `assets/rel`, a name with spaces) are refused, naming where
// they came from, instead of silently leaving every entry revalidated; a
// `./dir` is a directory, as a directory bucket is written.
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { resolveSettings } from "../src/config.ts";
import { join, toFileUrl } from "../src/path.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("immutableBuckets: bucket names, s3:// and file:// URIs and absolute paths are taken", () => {
  const items = ["b", "s3://b", "s3://b/", "S3://b/rel", "file:///srv/assets", "/srv/assets"];
  assertEquals(
    resolveSettings({
      cacheDir: "/tmp/vc-example",
      configPath: false,
      env: {},
      immutableBuckets: items,
    }).immutableBuckets,
    items,
  );
  assertEquals(
    resolveSettings({
      cacheDir: "/tmp/vc-example",
      configPath: false,
      env: { VC_IMMUTABLE_BUCKETS: " b , s3://c/rel " },
    })
      .immutableBuckets,
    ["b", "s3://c/rel"],
  );
});

Deno.test("immutableBuckets: an entry that would match nothing is refused, naming its source", async () => {
  for (const item of ["b/rel", "assets/rel", " b ", "my bucket"]) {
    const e = assertThrows(
      () =>
        resolveSettings({
          cacheDir: "/tmp/vc-example",
          configPath: false,
          env: {},
          immutableBuckets: [item],
        }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "the option immutableBuckets");
    assertStringIncludes(e.message, JSON.stringify(item));
  }
  assertThrows(
    () =>
      resolveSettings({
        cacheDir: "/tmp/vc-example",
        configPath: false,
        env: { VC_IMMUTABLE_BUCKETS: "b,b/rel" },
      }),
    InvalidInputError,
    'VC_IMMUTABLE_BUCKETS: "b/rel"',
  );
  const dir = await Deno.makeTempDir({ prefix: "vc-config-immutable-entries-" });
  try {
    const file = `${dir}/config.json`;
    // `./` names a directory relative to the file (below); without it, a
    // bucket with a prefix or a directory is anyone's guess.
    await Deno.writeTextFile(file, JSON.stringify({ immutableBuckets: ["assets/rel"] }));
    assertThrows(
      () => resolveSettings({ cacheDir: "/tmp/vc-example", configPath: file, env: {} }),
      InvalidInputError,
      `config file ${file}: "immutableBuckets": "assets/rel"`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("immutableBuckets: a bucket and a prefix of one are never revalidated", async () => {
  await withS3Cache(async (s3, make) => {
    await s3.putObject("b", "rel/k.txt", "k");
    await s3.putObject("b", "other/k.txt", "k");
    const clock = new ManualClock(1_000_000);
    const c = make({ timeout: 10, clock, immutableBuckets: ["s3://b/rel"] });
    await c.cache("s3://b/rel/k.txt");
    await c.cache("s3://b/other/k.txt");
    await clock.advance(60_000);
    s3.resetStats();
    await c.cache("s3://b/rel/k.txt");
    assertEquals(s3.stats.HeadObject, 0);
    await c.cache("s3://b/other/k.txt");
    assertEquals(s3.stats.HeadObject, 1);
  });
});

Deno.test("immutableBuckets: a ./ or ../ directory in a settings file is relative to the file, as its bucket is", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-config-immutable-rel-" }));
  try {
    await Deno.mkdir(`${dir}/repo/app`, { recursive: true });
    // A team's vc.json: the directory bucket beside it, never revalidated.
    await Deno.writeTextFile(
      `${dir}/repo/vc.json`,
      JSON.stringify({ bucket: "./assets", immutableBuckets: ["./assets", "../shared"] }),
    );
    const s = resolveSettings({
      cacheDir: "/tmp/vc-example",
      configPath: false,
      projectDir: `${dir}/repo/app`,
      cwd: `${dir}/repo/app`,
      env: {},
    });
    assertEquals(s.bucket, toFileUrl(`${dir}/repo/assets`).href);
    assertEquals(s.immutableBuckets, [`${dir}/repo/assets`, `${dir}/shared`]);
    // The user config file's too, relative to it (not to the current directory).
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(file, JSON.stringify({ immutableBuckets: ["./assets"] }));
    assertEquals(
      resolveSettings({ cacheDir: "/tmp/vc-example", configPath: file, cwd: "/", env: {} })
        .immutableBuckets,
      [`${dir}/assets`],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("immutableBuckets: a ./ or ../ directory in VC_IMMUTABLE_BUCKETS or the option is relative to the cwd, as VC_BUCKET's is", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-config-immutable-env-" }));
  try {
    const cwd = `${dir}/repo`;
    const base = { cacheDir: "/tmp/vc-example", configPath: false as const, cwd };
    // The bucket a CI job names as VC_BUCKET=./assets, listed the same way.
    const fromEnv = resolveSettings({
      ...base,
      env: { VC_BUCKET: "./assets", VC_IMMUTABLE_BUCKETS: "./assets, ../shared, s3://b" },
    });
    assertEquals(fromEnv.bucket, toFileUrl(`${cwd}/assets`).href);
    assertEquals(fromEnv.immutableBuckets, [`${cwd}/assets`, `${dir}/shared`, "s3://b"]);
    assertEquals(fromEnv.sources.immutableBuckets, "env VC_IMMUTABLE_BUCKETS");
    assertEquals(
      resolveSettings({ ...base, env: {}, immutableBuckets: ["./assets"] }).immutableBuckets,
      [`${cwd}/assets`],
    );
    // Without ./ it is still anyone's guess (a bucket with a prefix?): refused.
    assertThrows(
      () => resolveSettings({ ...base, env: { VC_IMMUTABLE_BUCKETS: "assets/rel" } }),
      InvalidInputError,
      'VC_IMMUTABLE_BUCKETS: "assets/rel"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc config: a ./dir in VC_IMMUTABLE_BUCKETS shows as the directory it names, from the command's cwd", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run(["config", "--json", "immutableBuckets"], {
    VC_IMMUTABLE_BUCKETS: "./assets",
  });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json<{ name: string; value: unknown; source: string }>(), {
    name: "immutableBuckets",
    value: [join(ws.dir, "assets")],
    source: "env VC_IMMUTABLE_BUCKETS",
  });
});
