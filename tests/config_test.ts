import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import {
  DEFAULT_TIMEOUT_SECONDS,
  defaultCacheDir,
  defaultConfigDir,
  loadConfigFile,
  resolveSettings,
} from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc-config-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("defaults: platform cache dir, one day, nothing immutable, online", () => {
  const s = resolveSettings({ env: { HOME: "/home/ann" }, configPath: false });
  assertEquals(s, {
    cacheDir: Deno.build.os === "linux" ? "/home/ann/.cache/vc" : s.cacheDir,
    timeout: DEFAULT_TIMEOUT_SECONDS,
    immutableBuckets: [],
    offline: false,
    sources: {
      cacheDir: "default",
      timeout: "default",
      immutableBuckets: "default",
      offline: "default",
      bucket: "default",
      parallelThreshold: "default",
      rangeSize: "default",
    },
  });
});

Deno.test("platform default cache and config dirs", () => {
  assertEquals(defaultCacheDir({ os: "linux", env: { HOME: "/h" } }), "/h/.cache/vc");
  assertEquals(
    defaultCacheDir({ os: "linux", env: { HOME: "/h", XDG_CACHE_HOME: "/x" } }),
    "/x/vc",
  );
  // A relative XDG value is invalid per the spec and ignored.
  assertEquals(
    defaultCacheDir({ os: "linux", env: { HOME: "/h", XDG_CACHE_HOME: "rel" } }),
    "/h/.cache/vc",
  );
  assertEquals(
    defaultCacheDir({ os: "darwin", env: { HOME: "/Users/a" } }),
    "/Users/a/Library/Caches/vc",
  );
  assertEquals(
    defaultCacheDir({ os: "windows", env: { LOCALAPPDATA: "C:\\Users\\a\\AppData\\Local" } }),
    "C:\\Users\\a\\AppData\\Local\\vc\\Cache",
  );
  assertEquals(
    defaultCacheDir({ os: "windows", env: { USERPROFILE: "C:\\Users\\a" } }),
    "C:\\Users\\a\\AppData\\Local\\vc\\Cache",
  );
  assertEquals(defaultConfigDir({ os: "linux", env: { HOME: "/h", XDG_CONFIG_HOME: "/c" } }), "/c");
  assertEquals(
    defaultConfigDir({ os: "darwin", env: { HOME: "/U" } }),
    "/U/Library/Application Support",
  );
  assertEquals(defaultConfigDir({ os: "windows", env: { APPDATA: "C:\\R" } }), "C:\\R");
  assertThrows(() => defaultCacheDir({ os: "linux", env: {} }), InvalidInputError, "HOME");
});

Deno.test("precedence: options > environment > config file > defaults", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        cacheDir: "cache-from-file",
        timeout: 5,
        immutableBuckets: ["file-bucket"],
        offline: true,
        bucket: "assets",
        manifest: "manifest.json",
      }),
    );
    const fromFile = resolveSettings({ env: { VC_CONFIG: file, HOME: "/h" } });
    assertEquals(fromFile, {
      cacheDir: `${dir}/cache-from-file`, // relative to the config file
      timeout: 5,
      immutableBuckets: ["file-bucket"],
      offline: true,
      bucket: "s3://assets", // a bare name is an S3 bucket, as in baiji-pod
      manifest: `${dir}/manifest.json`,
      configPath: file,
      sources: {
        cacheDir: `config ${file}`,
        timeout: `config ${file}`,
        immutableBuckets: `config ${file}`,
        offline: `config ${file}`,
        bucket: `config ${file}`,
        parallelThreshold: "default",
        rangeSize: "default",
      },
    });
    const env = {
      VC_CONFIG: file,
      VC_CACHE_DIR: "/env/cache",
      VC_CACHE_TIMEOUT: "60",
      VC_IMMUTABLE_BUCKETS: " a, b ,,",
      VC_OFFLINE: "0",
    };
    const fromEnv = resolveSettings({ env });
    assertEquals(fromEnv.cacheDir, "/env/cache");
    assertEquals(fromEnv.timeout, 60);
    assertEquals(fromEnv.immutableBuckets, ["a", "b"]);
    assertEquals(fromEnv.offline, false);
    assertEquals(fromEnv.bucket, "s3://assets"); // only the file knows it
    assertEquals(fromEnv.sources.timeout, "env VC_CACHE_TIMEOUT");
    const fromOptions = resolveSettings({
      env,
      cacheDir: "/opt/cache",
      timeout: 0,
      immutableBuckets: [],
      offline: true,
    });
    assertEquals(
      [
        fromOptions.cacheDir,
        fromOptions.timeout,
        fromOptions.immutableBuckets,
        fromOptions.offline,
      ],
      ["/opt/cache", 0, [], true],
    );
  });
});

Deno.test("bad environment values name the variable and the value", () => {
  for (const value of ["abc", "-1", "1x", "0x10", "d1"]) {
    const e = assertThrows(
      () => resolveSettings({ env: { HOME: "/h", VC_CACHE_TIMEOUT: value }, configPath: false }),
      InvalidInputError,
      "VC_CACHE_TIMEOUT",
    );
    assertStringIncludes(e.message, JSON.stringify(value));
  }
  assertEquals(
    resolveSettings({ env: { HOME: "/h", VC_CACHE_TIMEOUT: "1.5" }, configPath: false }).timeout,
    1.5,
  );
  // Durations as the help shows them.
  for (const [value, seconds] of [["1d", 86_400], ["12h", 43_200], ["1h30m", 5400]] as const) {
    assertEquals(
      resolveSettings({ env: { HOME: "/h", VC_CACHE_TIMEOUT: value }, configPath: false }).timeout,
      seconds,
    );
  }
  assertThrows(
    () => resolveSettings({ env: { HOME: "/h", VC_OFFLINE: "maybe" }, configPath: false }),
    InvalidInputError,
    'VC_OFFLINE must be 1/0, true/false, yes/no or on/off, got "maybe"',
  );
  assertThrows(
    () => resolveSettings({ env: { HOME: "/h" }, timeout: -1, configPath: false }),
    InvalidInputError,
    "timeout",
  );
});

Deno.test("malformed config file: error names the file, line and column", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(file, '{\n  "timeout": 5,\n  "offline": tru\n}\n');
    const e = assertThrows(() => loadConfigFile(file), InvalidInputError, file);
    assertStringIncludes(e.message, "line 3, column 17");
    const cases: [string, string][] = [
      ['{"timeout": 5,}', "line 1, column 14: a comma after the last entry"],
      ['{\n  "a": "x\n"}', "line 2, column 8: a string that is not closed"],
      ["{\n", "line 2, column 1"],
      ['{"a": 1} x', "line 1, column 10"],
    ];
    for (const [text, where] of cases) {
      await Deno.writeTextFile(file, text);
      assertThrows(() => loadConfigFile(file), InvalidInputError, where);
    }
  });
});

Deno.test("config file validation: types and unknown keys", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/config.json`;
    const cases: [unknown, string][] = [
      [{ timeout: "soon" }, '"timeout" must be a number of seconds or a duration'],
      [{ timeout: -1 }, '"timeout" must be a non-negative number'],
      [{ bucket: "S3://" }, '"bucket" "S3://" is not a bucket'],
      [{ immutableBuckets: "b" }, '"immutableBuckets" must be an array'],
      [{ offline: 1 }, '"offline" must be true or false'],
      [{ cacheDir: "" }, '"cacheDir" must be a path, not empty or blank'],
      [{ cachedir: "/x" }, 'unknown key "cachedir"; did you mean "cacheDir"?'],
      [{ cacheDir: "/c\ud800" }, '"cacheDir" holds a lone UTF-16 surrogate'],
      [{ bucket: "/tmp/x\udc00y" }, '"bucket" holds a lone UTF-16 surrogate'],
      [[1, 2], "must contain a JSON object"],
    ];
    for (const [content, message] of cases) {
      await Deno.writeTextFile(file, JSON.stringify(content));
      const e = assertThrows(() => loadConfigFile(file), InvalidInputError, message);
      assertStringIncludes(e.message, file);
    }
    // JSON has no Infinity: 1e400 parses to it (JSON.stringify would say null).
    await Deno.writeTextFile(file, '{"timeout": 1e400}');
    assertThrows(() => loadConfigFile(file), InvalidInputError, "got a number too large");
    await Deno.writeTextFile(file, JSON.stringify({ $schema: "x", cacheDir: "~/c" }));
    assertEquals(loadConfigFile(file, { env: { HOME: "/home/z" } })?.config, {
      cacheDir: "/home/z/c",
    });
  });
});

Deno.test("missing config files: the default one is optional, an explicit one is required", async () => {
  await withDir(async (dir) => {
    assertEquals(
      loadConfigFile(undefined, { env: { XDG_CONFIG_HOME: dir, HOME: dir } }),
      undefined,
    );
    assertThrows(
      () => resolveSettings({ env: { VC_CONFIG: `${dir}/nope.json`, HOME: dir } }),
      InvalidInputError,
      `${dir}/nope.json`,
    );
    // The default location is found through XDG_CONFIG_HOME.
    await Deno.mkdir(`${dir}/vc`);
    await Deno.writeTextFile(`${dir}/vc/config.json`, '{"timeout": 7}');
    const s = resolveSettings({ env: { XDG_CONFIG_HOME: dir, HOME: dir } });
    assertEquals(s.timeout, Deno.build.os === "linux" ? 7 : s.timeout);
  });
});

Deno.test("an empty cacheDir option is refused (it would be the current directory)", () => {
  for (const cacheDir of ["", "  "]) {
    const e = assertThrows(
      () => resolveSettings({ env: { HOME: "/h" }, configPath: false, cacheDir }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, "cacheDir is empty");
  }
});

Deno.test("a config file key given twice is an error naming it, its line and column", async () => {
  await withDir(async (dir) => {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(file, '{\n  "timeout": 5,\n  "timeout": 600\n}\n');
    const e = assertThrows(() => loadConfigFile(file), InvalidInputError, file);
    assertStringIncludes(e.message, '"timeout" is given more than once');
    assertStringIncludes(e.message, "line 3, column 3");
  });
});

Deno.test("a bucket's scheme in capitals is the same scheme (S3://x is s3://x), as in a URI", () => {
  const settings = resolveSettings({
    env: { VC_BUCKET: "S3://team-assets/v1", HOME: "/home/u" },
    configPath: false,
  });
  assertEquals(settings.bucket, "s3://team-assets/v1");
  const local = resolveSettings({
    env: { VC_BUCKET: "FILE:///srv/assets", HOME: "/home/u" },
    configPath: false,
  });
  assertEquals(local.bucket, "file:///srv/assets");
});

Deno.test("without HOME there is no default config file: settings come from the environment", async () => {
  await withDir((dir) => {
    // A CI container may run with no HOME; VC_CACHE_DIR is then enough.
    assertEquals(loadConfigFile(undefined, { env: {} }), undefined);
    const s = resolveSettings({ env: { VC_CACHE_DIR: dir } });
    assertEquals(s.cacheDir, dir);
    // Named files are still read; the cache directory still needs a home.
    assertThrows(
      () => loadConfigFile(undefined, { env: { VC_CONFIG: `${dir}/nope.json` } }),
      InvalidInputError,
      "nope.json",
    );
    assertThrows(() => resolveSettings({ env: {} }), InvalidInputError, "set VC_CACHE_DIR");
    assertThrows(() => defaultConfigDir({ os: "linux", env: {} }), InvalidInputError, "VC_CONFIG");
  });
});
