/**
 * A Deno script calling the library passes options, never `vc`'s flags; yet
 * the library's messages told it to "check --bucket or VC_BUCKET" (a
 * VersionedCache reads neither), to "bump the major version instead
 * (--major, ...)", to "pass --manifest PATH", to "give a manifest with
 * --manifest", to "give a catalog (--catalog ...)" and asked "is --url
 * (VC_CACHE_URL) a KBase file cache service?" (a CacheClient reads no
 * VC_CACHE_URL). The library now names its option (`the bucket option`,
 * `the major option`, `the force option`, ...), and `vc` (its error printer: `withFlagNames`)
 * still names the flag, as each process run below shows.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { AssetCache } from "../mod.ts";
import { nextVersion, VersionedCache } from "../src/versioned/mod.ts";
import { readListFile } from "../src/prefill/mod.ts";
import { Repository } from "../src/repo/mod.ts";
import { CacheClient } from "../src/server/mod.ts";
import { withFlagNames } from "../src/cli/errors.ts";
import { withWorkspace } from "./cli_process.ts";

/** No `--flag` of vc's in a library message (`--` alone in a quoted name aside). */
function assertNoFlag(message: string): void {
  assert(!/(^|[\s(`])--[a-z]/.test(message), `a flag in: ${message}`);
}

const MAX = Number.MAX_SAFE_INTEGER;

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_option_named_errors_" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function foreign(handler: (req: Request) => Response | Promise<Response>) {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return handler(req);
  });
}

Deno.test("VersionedCache: a bucket directory that does not exist names the bucket option, no flag", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "f.txt"), "one");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const manifest = join(dir, "versioned_assets.json");
    {
      await using v = new VersionedCache({ manifest, bucket: join(dir, "bucket"), cache });
      await v.add("/f.txt", join(dir, "f.txt"));
    }
    await using typo = new VersionedCache({ manifest, bucket: join(dir, "typo"), cache });
    const e = await assertRejects(() => typo.path("/f.txt"));
    const message = (e as Error).message;
    assertStringIncludes(message, `(no directory ${join(dir, "typo")}); check the bucket option`);
    assertNoFlag(message);
    assertEquals(message.includes("VC_BUCKET"), false, message);
    // A bucket that is there but lacks the pinned version.
    await Deno.mkdir(join(dir, "other"));
    await using other = new VersionedCache({ manifest, bucket: join(dir, "other"), cache });
    const pinned = await assertRejects(() =>
      other.update("/f.txt", join(dir, "f.txt"), { patch: true })
    );
    assertStringIncludes((pinned as Error).message, "(check the bucket option; ");
    assertNoFlag((pinned as Error).message);
  });
});

Deno.test("nextVersion(): a part at its largest names the option that still bumps, no flag", () => {
  for (
    const [latest, part, option] of [
      [`1.0.${MAX}`, "patch", "(the minor option)"],
      [`1.${MAX}.0`, "minor", "(the major option)"],
    ] as const
  ) {
    const e = assertThrows(() => nextVersion(latest, { [part]: true }));
    assertStringIncludes((e as Error).message, option);
    assertNoFlag((e as Error).message);
  }
});

Deno.test("VersionedCache: a missing manifest with one above names the manifest option, no flag", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "m.json"), "{}");
    await Deno.mkdir(join(dir, "sub"));
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using v = new VersionedCache({
      manifest: join(dir, "sub", "m.json"),
      bucket: join(dir, "bucket"),
      cache,
    });
    const e = await assertRejects(() => v.path("/f.txt"));
    const message = (e as Error).message;
    assertStringIncludes(message, `pass the manifest option ${join(dir, "m.json")}`);
    assertNoFlag(message);
    await using none = new VersionedCache({
      manifest: join(dir, "none.json"),
      bucket: join(dir, "bucket"),
      cache,
    });
    const missing = ((await assertRejects(() => none.path("/f.txt"))) as Error).message;
    assertStringIncludes(missing, "give the manifest option the right file");
    assertNoFlag(missing);
  });
});

Deno.test("readListFile(): a manifest given as a list names prefill's versioned option, no flag", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "m.json"), '{\n  "/a.csv": "1.0.0"\n}\n');
    const e = await assertRejects(() => readListFile(join(dir, "m.json")));
    const message = (e as Error).message;
    assertStringIncludes(message, "give a manifest in prefill's `versioned` option");
    assertNoFlag(message);
  });
});

Deno.test("Repository.init(): an s3:// store without a catalog names the catalog option, no flag", async () => {
  const e = await assertRejects(() =>
    Repository.init("s3://bucket/repo", {
      env: { AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s", AWS_REGION: "us-east-1" },
    })
  );
  const message = (e as Error).message;
  assertStringIncludes(message, "give a catalog with the catalog option (sqlite:PATH");
  assertNoFlag(message);
});

Deno.test("CacheClient: a server that is not the cache API names the url option, no flag or variable", async () => {
  await using server = foreign((req) =>
    new URL(req.url).pathname.endsWith("/cache_id")
      ? Response.json({ status: "ok", cache_id: 5 })
      : new Response(null, { status: 302, headers: { location: "http://127.0.0.1:9/x" } })
  );
  const client = new CacheClient({ url: `http://127.0.0.1:${server.addr.port}`, token: "t" });
  for (
    const [call, words] of [
      [() => client.id({ k: 1 }), "is the url option a KBase file cache service?"],
      [() => client.get("a".repeat(128)), "the url option must name the service itself"],
    ] as const
  ) {
    const message = ((await assertRejects(call)) as Error).message;
    assertStringIncludes(message, words);
    assertNoFlag(message);
    assertEquals(message.includes("VC_CACHE_URL"), false, message);
  }
});

Deno.test("CacheClient: a silent service names the timeoutMs option in ms, no flag", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  await using server = foreign(async () => {
    await released;
    return Response.json({});
  });
  try {
    const client = new CacheClient({
      url: `http://127.0.0.1:${server.addr.port}`,
      token: "t",
      timeoutMs: 200,
    });
    const message = ((await assertRejects(() => client.id({ k: 1 }))) as Error).message;
    assertStringIncludes(message, "(request timeout: the timeoutMs option, in ms)");
    assertNoFlag(message);
  } finally {
    release();
  }
});

Deno.test("VersionedCache: publish refusals name the force, patch, version and frozen options, no flag", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "f.txt"), "one");
    await Deno.writeTextFile(join(dir, "g.txt"), "two");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const options = { manifest: join(dir, "m.json"), bucket: join(dir, "bucket"), cache };
    await using v = new VersionedCache({ ...options, frozen: false });
    await v.add("/f.txt", join(dir, "f.txt"));
    const refusals: [() => Promise<unknown>, string][] = [
      [() => v.update("/f.txt", join(dir, "f.txt"), { patch: true }), "Pass the force option to"],
      [
        () => v.update("/f.txt", join(dir, "g.txt"), { version: "1.0.0" }),
        "the patch option publishes 1.0.1",
      ],
      [
        () => v.update("/f.txt", join(dir, "g.txt"), { minVersion: "2.0.0-rc.1" }),
        "the version option 2.0.0-rc.1 publishes one",
      ],
    ];
    await using frozen = new VersionedCache({ ...options, frozen: true });
    refusals.push([
      () => frozen.update("/f.txt", join(dir, "g.txt"), { patch: true }),
      "(the frozen option / VC_FROZEN) refuses that; run it without the frozen option",
    ]);
    for (const [call, words] of refusals) {
      const message = ((await assertRejects(call)) as Error).message;
      assertStringIncludes(message, words);
      assertNoFlag(message);
    }
  });
});

Deno.test("Repository.restore(): refusals name the force option, no flag", async () => {
  await withDir(async (dir) => {
    const uri = (name: string) => pathToFileURL(join(dir, name)).href;
    const snapshot = join(dir, "b.jsonl.gz");
    {
      await using a = await Repository.init(uri("a"));
      await a.add("/a.txt", new TextEncoder().encode("a"));
      await using b = await Repository.init(uri("b"));
      await b.add("/b.txt", new TextEncoder().encode("b"));
      await b.backup(snapshot);
    }
    const other = await assertRejects(() =>
      Repository.restore(uri("a"), snapshot, { force: true })
    );
    assertStringIncludes(
      (other as Error).message,
      "nothing was restored, even with the force option",
    );
    assertNoFlag((other as Error).message);
    const full = await assertRejects(() => Repository.restore(uri("b"), snapshot));
    assertStringIncludes((full as Error).message, "restore with the force option to replace them");
    assertNoFlag((full as Error).message);
  });
});

Deno.test("Repository.find(): a query without tags or with too many names the any, all and exclude options", async () => {
  await withDir(async (dir) => {
    await using repo = await Repository.init(pathToFileURL(join(dir, "repo")).href);
    const many = Array.from({ length: 1001 }, (_, i) => `t${i}`);
    for (
      const [query, words] of [
        [{ exclude: ["x"] }, "the exclude option alone would select almost everything"],
        [{}, "(the any option, the all option, optionally the exclude option)"],
        [{ any: many }, "1001 tags in the any option, 0 in the all option and 0 in the exclude"],
      ] as const
    ) {
      const message = ((await assertRejects(() => repo.find(query))) as Error).message;
      assertStringIncludes(message, words);
      assertNoFlag(message);
    }
  });
});

Deno.test("withFlagNames: each new option's words become the flag, not inside a path", () => {
  assertEquals(
    withFlagNames("(no directory /b); check the bucket option"),
    `(no directory /b); check --bucket, VC_BUCKET or a project file's "bucket" (vc config shows which)`,
  );
  assertEquals(withFlagNames("instead (the major option)"), "instead (--major)");
  assertEquals(withFlagNames("or pass the manifest option /m.json"), "or pass --manifest /m.json");
  assertEquals(
    withFlagNames("(request timeout: the timeoutMs option, in ms)"),
    "(request timeout: --request-timeout or VC_REQUEST_TIMEOUT, in seconds)",
  );
  // A note in parentheses ends with one closing parenthesis, not the mapped flag's too.
  assertEquals(
    withFlagNames("(not followed: the url option must name the service itself)"),
    "(not followed: --url (VC_CACHE_URL) must name the service itself)",
  );
  // The same words as part of a key or path the message quotes stay as they are.
  assertEquals(
    withFlagNames("s3://b/the bucket option/k does not exist"),
    "s3://b/the bucket option/k does not exist",
  );
});

Deno.test("vc (process): the same failures name the flags, not the library's options", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "f.txt"), "one");
    await Deno.writeTextFile(join(dir, "g.txt"), "two");
    const typo = join(dir, "typo");
    const checks: [string[], string][] = [];
    // The bucket.
    assertEquals((await vc(["add", "/f.txt", "f.txt"])).code, 0);
    checks.push([
      ["path", "/f.txt", "--bucket", typo],
      `(no directory ${typo}); check --bucket, VC_BUCKET or a project file's "bucket" (vc config shows which)`,
    ]);
    // The largest patch part: --minor still bumps.
    assertEquals((await vc(["add", "/g.txt", "g.txt", "--version", `1.0.${MAX}`])).code, 0);
    checks.push([
      ["update", "/g.txt", "f.txt", "--patch"],
      "bump the minor version instead (--minor)",
    ]);
    // A manifest with the nearest one above it.
    await Deno.mkdir(join(dir, "sub"));
    checks.push([
      ["path", "/f.txt", "--manifest", "sub/versioned_assets.json"],
      `pass --manifest ${join(dir, "versioned_assets.json")}`,
    ]);
    // A manifest given as a list.
    checks.push([
      ["prefill", "--list", "versioned_assets.json"],
      "give a manifest with --manifest",
    ]);
    // An identical file, a version not above the latest, frozen mode.
    checks.push([["update", "/f.txt", "f.txt", "--patch"], "Pass --force to publish it"]);
    checks.push([["update", "/f.txt", "g.txt", "--version", "1.0.0"], "--patch publishes 1.0.1"]);
    checks.push([
      ["update", "/f.txt", "g.txt", "--patch", "--frozen"],
      "(--frozen / VC_FROZEN) refuses that; run it without --frozen",
    ]);
    // A restore into a catalog that holds records.
    const repo = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    assertEquals((await vc(["repo", "init"], repo)).code, 0);
    assertEquals((await vc(["repo", "add", "/a.txt", "f.txt"], repo)).code, 0);
    const snapshot = (await vc(["repo", "backup"], repo)).stdout.trim();
    checks.push([
      ["repo", "restore", snapshot, "--repo", repo.VC_REPO],
      "restore with --force to replace them",
    ]);
    // A find of too many tags.
    checks.push([
      [
        "repo",
        "find",
        "--any",
        Array.from({ length: 1001 }, (_, i) => `t${i}`).join(","),
        "--repo",
        repo.VC_REPO,
      ],
      "find: 1001 tags in --any, 0 in --all and 0 in --exclude are too many (at most 100 in --all",
    ]);
    // A repository on S3 without a catalog.
    checks.push([
      ["repo", "init", "s3://bucket/repo"],
      "give a catalog with --catalog (sqlite:PATH",
    ]);
    for (const [args, words] of checks) {
      const r = await vc(args, {
        AWS_ACCESS_KEY_ID: "k",
        AWS_SECRET_ACCESS_KEY: "s",
        AWS_REGION: "us-east-1",
      });
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, words, args.join(" "));
      assertEquals(/ option\b|`versioned`/.test(r.stderr), false, r.stderr);
    }
    // A cache service that is not one.
    await using server = foreign(() => Response.json({ status: "ok", cache_id: 5 }));
    const r = await vc(["cache-client", "id", '{"k": 1}'], {
      VC_CACHE_URL: `http://127.0.0.1:${server.addr.port}`,
      VC_CACHE_TOKEN: "t",
    });
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "is --url (VC_CACHE_URL) a KBase file cache service?");
    assertEquals(r.stderr.includes("url option"), false, r.stderr);
  });
});

// A script passes a file:// URL as the bucket as readily as a path.
Deno.test("VersionedCache: a file:// bucket URL that does not exist names the option too", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/f.txt": "1.0.0"}');
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using v = new VersionedCache({
      manifest: join(dir, "versioned_assets.json"),
      bucket: pathToFileURL(join(dir, "typo")).href,
      cache,
    });
    const message = ((await assertRejects(() => v.path("/f.txt"))) as Error).message;
    assertStringIncludes(message, "check the bucket option");
    assertNoFlag(message);
  });
});
