import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace, withProcessEnv } from "./cli_harness.ts";

Deno.test("cli versioned: add, update, path, cat, get, versions, ls, path-remote, sync, verify", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/bar.csv", "a,b\n1,2\n");

  const add = await ws.vc("add", "/foo/bar.csv", "src/bar.csv");
  assertEquals(add.code, 0, add.stderr);
  assertStringIncludes(add.stdout, "added /foo/bar.csv 1.0.0");
  assertEquals(await ws.read("versioned_assets.json"), '{\n    "/foo/bar.csv": "1.0.0"\n}\n');
  assertEquals(await ws.read("bucket/foo/bar.1.0.0.csv"), "a,b\n1,2\n");

  await ws.write("src/bar.csv", "a,b\n3,4\n");
  const update = await ws.vc("update", "/foo/bar.csv", "src/bar.csv", "--patch", "--json");
  assertEquals(update.code, 0, update.stderr);
  const u = update.json<{ from: string; to: string; uri: string }>();
  assertEquals([u.from, u.to], ["1.0.0", "1.0.1"]);
  assertEquals(u.uri, `${ws.bucket}/foo/bar.1.0.1.csv`);
  assertStringIncludes(await ws.read("versioned_assets.json"), '"1.0.1"');

  const path = await ws.vc("path", "/foo/bar.csv");
  assertEquals(path.code, 0, path.stderr);
  const local = path.stdout.trim();
  assert(local.startsWith(ws.cacheDir), local);
  assertEquals(await Deno.readTextFile(local), "a,b\n3,4\n");
  const old = await ws.vc("path", "foo/bar.csv", "1.0.0", "--json");
  assertEquals(await Deno.readTextFile(old.json<{ local: string }>().local), "a,b\n1,2\n");

  const cat = await ws.vc("cat", "/foo/bar.csv");
  assertEquals([cat.code, cat.stdout], [0, "a,b\n3,4\n"]);
  const catOld = await ws.vc("cat", "/foo/bar.csv", "1.0.0");
  assertEquals(catOld.stdout, "a,b\n1,2\n");

  await Deno.mkdir(ws.path("out"));
  const get = await ws.vc("get", "/foo/bar.csv", "out");
  assertEquals(get.code, 0, get.stderr);
  assertEquals(await ws.read("out/bar.csv"), "a,b\n3,4\n");
  const getOld = await ws.vc("get", "/foo/bar.csv", "1.0.0", "out/old.csv");
  assertEquals(getOld.code, 0, getOld.stderr);
  assertEquals(await ws.read("out/old.csv"), "a,b\n1,2\n");
  assertEquals((await ws.vc("get", "/foo/bar.csv", "new/dir/")).code, 0);
  assertEquals(await ws.read("new/dir/bar.csv"), "a,b\n3,4\n");

  const versions = await ws.vc("versions", "/foo/bar.csv");
  assertEquals(versions.stdout, "1.0.0\n1.0.1\n");
  assertEquals(
    (await ws.vc("versions", "/foo/bar.csv", "--json")).json(),
    { path: "/foo/bar.csv", versions: ["1.0.0", "1.0.1"] },
  );

  const ls = await ws.run(["ls"]); // needs no bucket
  assertEquals([ls.code, ls.stdout], [0, "/foo/bar.csv  1.0.1\n"]);
  assertEquals((await ws.vc("ls-remote", "--json")).json(), [
    { path: "/foo/bar.csv", versions: ["1.0.0", "1.0.1"] },
  ]);
  assertEquals(
    (await ws.vc("path-remote", "/foo/bar.csv")).stdout,
    `${ws.bucket}/foo/bar.1.0.1.csv\n`,
  );
  assertEquals(
    (await ws.vc("path-remote", "/foo/bar.csv", "1.0.0", "--json")).json(),
    { path: "/foo/bar.csv", version: "1.0.0", uri: `${ws.bucket}/foo/bar.1.0.0.csv` },
  );

  const sync = await ws.vc("sync", "synced");
  assertEquals(sync.code, 0, sync.stderr);
  assertEquals(await ws.read("synced/foo/bar.csv"), "a,b\n3,4\n");

  const verify = await ws.vc("verify");
  assertEquals(verify.code, 0, verify.stderr);
  assertStringIncludes(verify.stdout, "ok  locked  /foo/bar.csv  1.0.1");

  // Identical content is refused (nothing published) unless --force.
  const same = await ws.vc("update", "/foo/bar.csv", "src/bar.csv", "--minor");
  assertFailure(same, 1, "identical to /foo/bar.csv 1.0.1");
  assertStringIncludes(same.stderr, "--force");
  assertEquals((await ws.vc("versions", "/foo/bar.csv")).stdout, "1.0.0\n1.0.1\n");
  const quiet = await ws.vc(
    "update",
    "/foo/bar.csv",
    "src/bar.csv",
    "--minor",
    "--quiet",
    "--force",
  );
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  assertStringIncludes(await ws.read("versioned_assets.json"), '"1.1.0"');
});

Deno.test("cli versioned: update bump flags", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("f.txt", "x");
  assertEquals((await ws.vc("add", "/f.txt", file, "--version", "1.2.5")).code, 0);
  const cases: [string[], string][] = [
    [["--minor"], "1.3.0"],
    [["--major"], "2.0.0"],
    [["--version", "2.0.7"], "2.0.7"],
    [["--min-version", "3"], "3.0.0"],
    [["--min-version", "1.0"], "3.0.1"],
  ];
  for (const [flags, expected] of cases) {
    await ws.write("f.txt", `x ${expected}`);
    const r = await ws.vc("update", "/f.txt", file, ...flags, "--json");
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.json<{ to: string }>().to, expected, flags.join(" "));
  }
  const before = await ws.read("versioned_assets.json");
  assertFailure(await ws.vc("update", "/f.txt", file), 2, "say how to bump");
  assertFailure(await ws.vc("update", "/f.txt", file, "--major", "--patch"), 2, "only one of");
  assertFailure(await ws.vc("update", "/f.txt", file, "--version", "1.0.0"), 1, "1.0.0");
  assertEquals(await ws.read("versioned_assets.json"), before);
});

Deno.test("cli versioned: bad input gives one line naming the input, manifest unchanged", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("f.csv", "1\n");
  assertEquals((await ws.vc("add", "/f.csv", file)).code, 0);
  const manifest = await ws.read("versioned_assets.json");

  // Missing manifest.
  assertFailure(
    await ws.vc("path", "/f.csv", "--manifest", "nope.json"),
    1,
    `${ws.path("nope.json")} does not exist`,
  );
  // Malformed manifest.
  await ws.write("broken.json", '{"/f.csv": "1.0.0",,}');
  assertFailure(await ws.vc("path", "/f.csv", "--manifest", "broken.json"), 1, "broken.json");
  assertFailure(await ws.vc("ls", "--manifest", "broken.json"), 1, "broken.json");
  // Unknown path, with a suggestion.
  const unknown = await ws.vc("path", "/f.cvs");
  assertFailure(unknown, 1, "/f.cvs is not in manifest");
  assertStringIncludes(unknown.stderr, "/f.csv");
  // Bad version strings: the command line's fault, so usage errors.
  for (const bad of ["1.2", "v1.0.0", "01.0.0", "1.0.0+rc1", "latest"]) {
    assertFailure(await ws.vc("path", "/f.csv", bad), 2, JSON.stringify(bad));
    assertFailure(await ws.vc("update", "/f.csv", file, "--version", bad), 2, bad);
  }
  assertFailure(await ws.vc("add", "/g.csv", file, "--version", "1.0"), 2, "1.0");
  // A version that was never published, and a pinned object deleted from the bucket.
  assertFailure(await ws.vc("path", "/f.csv", "9.9.9"), 1, "9.9.9", "available: 1.0.0");
  await Deno.remove(ws.path("bucket/f.1.0.0.csv"));
  assertFailure(await ws.vc("cat", "/f.csv"), 1, "1.0.0 of /f.csv does not exist");
  const verify = await ws.vc("verify");
  assertEquals(verify.code, 1);
  assertStringIncludes(verify.stdout, "BAD  locked  /f.csv  1.0.0");
  assertStringIncludes(verify.stderr, "1 of 1 manifest entry failed verification");
  // Missing file to publish, and a path already in the manifest.
  assertFailure(await ws.vc("update", "/f.csv", "missing.csv", "--patch"), 1, "missing.csv");
  assertFailure(await ws.vc("add", "/f.csv", file), 1, "/f.csv is already versioned");
  // No bucket anywhere.
  const noBucket = await ws.run(["path", "/f.csv"]);
  assertFailure(noBucket, 2, "no bucket configured");
  assertStringIncludes(noBucket.stderr, "--bucket");
  assertStringIncludes(noBucket.stderr, "VC_BUCKET");
  assert(!noBucket.stderr.includes("does not exist either"), noBucket.stderr);
  // No bucket and no manifest there (run outside the project, or a mistyped
  // --manifest): both are said.
  for (
    const args of [["path", "/f.csv", "--manifest", "nope.json"], [
      "verify",
      "--manifest",
      "nope.json",
    ]]
  ) {
    const lost = await ws.run(args);
    assertFailure(lost, 2, "no bucket configured");
    assertStringIncludes(lost.stderr, `the manifest ${ws.path("nope.json")} does not exist either`);
  }
  // Usage errors.
  assertFailure(await ws.vc("path"), 2, "missing PATH");
  assertFailure(await ws.vc("get", "/f.csv"), 2, "missing DEST");
  assertFailure(await ws.vc("versions", "/a", "/b"), 2, 'unexpected argument "/b"');

  assertEquals(await ws.read("versioned_assets.json"), manifest);
});

Deno.test("cli versioned: settings come from env and config file, flags win", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("m/one.json", '{"/one.csv": "1.0.0"}');
  await ws.write("m/two.json", '{"/two.csv": "2.0.0"}');
  await ws.write("bucket/one.1.0.0.csv", "one");
  const config = await ws.write(
    "config.json",
    JSON.stringify({ bucket: ws.bucket, manifest: "m/one.json" }),
  );
  // Config file only (manifest relative to the config file).
  const fromConfig = await ws.run(["cat", "/one.csv"], { VC_CONFIG: config });
  assertEquals([fromConfig.code, fromConfig.stdout], [0, "one"], fromConfig.stderr);
  // Environment beats the config file.
  const fromEnv = await ws.run(["ls", "--json"], {
    VC_CONFIG: config,
    VC_MANIFEST: "m/two.json",
  });
  assertEquals(fromEnv.json(), [{ path: "/two.csv", version: "2.0.0" }]);
  // Flag beats the environment.
  const fromFlag = await ws.run(["ls", "--json", "--manifest", "m/one.json"], {
    VC_MANIFEST: "m/two.json",
  });
  assertEquals(fromFlag.json(), [{ path: "/one.csv", version: "1.0.0" }]);
  // VC_BUCKET as a directory path, relative to the cwd (a bare name is an S3 bucket).
  const viaEnvBucket = await ws.run(["cat", "/one.csv", "--manifest", "m/one.json"], {
    VC_BUCKET: "./bucket",
  });
  assertEquals(viaEnvBucket.stdout, "one", viaEnvBucket.stderr);
  // A broken config file is named.
  await ws.write("bad_config.json", "{oops");
  assertFailure(
    await ws.run(["ls"], { VC_CONFIG: ws.path("bad_config.json") }),
    1,
    "bad_config.json",
  );
});

Deno.test("cli versioned: s3:// bucket on the fake S3 server", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  // The S3 client reads its endpoint and credentials from the process environment.
  await withProcessEnv(s3.env, async () => {
    const env = { ...s3.env, VC_BUCKET: "s3://assets/team" };
    await ws.write("m.csv", "model");
    const add = await ws.run(["add", "/models/m.csv", "m.csv"], env);
    assertEquals(add.code, 0, add.stderr);
    assert(s3.listKeys("assets").includes("team/models/m.1.0.0.csv"), s3.listKeys("assets").join());
    await ws.write("m.csv", "model v2");
    const update = await ws.run(["update", "/models/m.csv", "m.csv", "--patch"], env);
    assertEquals(update.code, 0, update.stderr);
    const cat = await ws.run(["cat", "/models/m.csv"], env);
    assertEquals(cat.stdout, "model v2");
    const versions = await ws.run(["versions", "/models/m.csv"], env);
    assertEquals(versions.stdout, "1.0.0\n1.0.1\n");
    assertEquals(
      (await ws.run(["path-remote", "/models/m.csv"], env)).stdout,
      "s3://assets/team/models/m.1.0.1.csv\n",
    );
    // Warm cache: `path` needs no request at all (immutable versions).
    await ws.run(["path", "/models/m.csv"], env);
    s3.resetStats();
    const warm = await ws.run(["path", "/models/m.csv"], env);
    assertEquals(warm.code, 0, warm.stderr);
    assertEquals(s3.stats.total, 0);
    const missing = await ws.run(["path", "/models/m.csv", "3.0.0"], env);
    assertFailure(missing, 1, "3.0.0", "available: 1.0.0, 1.0.1");
  });
});

Deno.test({
  name: "cli versioned: a manifest or lock file that never ends is capped, not read into memory",
  ignore: Deno.build.os === "windows", // no /dev/zero
  fn: async () => {
    await using ws = await CliWorkspace.create();
    const file = await ws.write("f.csv", "1\n");
    assertEquals((await ws.vc("add", "/f.csv", file)).code, 0);
    const manifest = await ws.read("versioned_assets.json");
    assertFailure(
      await ws.vc("ls", "--manifest", "/dev/zero"),
      1,
      "manifest /dev/zero is larger than",
    );
    assertFailure(
      await ws.vc("path", "/f.csv", "--lock", "/dev/zero"),
      1,
      "lock file /dev/zero is larger than",
    );
    assertEquals(await ws.read("versioned_assets.json"), manifest);
  },
});

Deno.test("cli versioned: offline mode sends no request; commands that need the store say so", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  // The S3 client reads its endpoint and credentials from the process environment.
  await withProcessEnv(s3.env, async () => {
    const env = { ...s3.env, VC_BUCKET: "s3://assets/team" };
    await ws.write("m.csv", "model");
    assertEquals((await ws.run(["add", "/m.csv", "m.csv"], env)).code, 0);
    assertEquals((await ws.run(["path", "/m.csv"], env)).code, 0); // cached
    await ws.write("n.csv", "new");
    await ws.write("m.csv", "model v2");
    const manifest = await ws.read("versioned_assets.json");
    const keys = s3.listKeys("assets").join();
    for (const offline of [{ VC_OFFLINE: "1" }, {}]) {
      const flag = "VC_OFFLINE" in offline ? [] : ["--offline"];
      const run = (args: string[]) => ws.run([...args, ...flag], { ...env, ...offline });
      s3.resetStats();
      for (
        const args of [
          ["versions", "/m.csv"],
          ["ls-remote"],
          ["add", "/n.csv", "n.csv"],
          ["update", "/m.csv", "m.csv", "--patch"],
          ["lock"],
        ]
      ) {
        const r = await run(args);
        assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assertStringIncludes(r.stdout + r.stderr, "not contacted in offline mode");
        assert(!r.stderr.includes("internal error"), r.stderr);
      }
      // verify checks the cached copy against the lock file instead.
      const verify = await run(["verify"]);
      assertEquals(verify.code, 0, verify.stdout + verify.stderr);
      assertStringIncludes(verify.stdout, "cached copy has the locked content");
      // What is cached is still served.
      const cat = await run(["cat", "/m.csv"]);
      assertEquals([cat.code, cat.stdout], [0, "model"], cat.stderr);
      const remote = await run(["path-remote", "/m.csv"]);
      assertEquals(remote.stdout, "s3://assets/team/m.1.0.0.csv\n", remote.stderr);
      assertEquals(s3.stats.total, 0, `${JSON.stringify(offline)}: requests were sent`);
    }
    assertEquals(await ws.read("versioned_assets.json"), manifest);
    assertEquals(s3.listKeys("assets").join(), keys);
  });
});

Deno.test("cli sync: a cause shared by many entries prints 20 failures and a count; --json lists them all", async () => {
  await using ws = await CliWorkspace.create();
  const manifest: Record<string, string> = {};
  for (let i = 0; i < 25; i++) {
    await ws.write(`bucket/d/f${i}.1.0.0.txt`, `${i}\n`);
    manifest[`/d/f${i}.txt`] = "1.0.0";
  }
  await ws.write("versioned_assets.json", JSON.stringify(manifest));
  // A file where every entry needs the directory d: one cause, 25 failures.
  await ws.write("out/d", "in the way");
  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assertEquals(lines.filter((l) => l.startsWith("vc: sync failed: ")).length, 20);
  assertEquals(lines.at(-2), "vc: ... and 5 more failures (--json lists them all)");
  assertEquals(lines.at(-1), `vc: 25 of 25 manifest entries failed; 0 copied to ${ws.path("out")}`);
  const json = await ws.vc("sync", "out", "--json");
  assertEquals(json.code, 1);
  assertEquals(json.json<{ failed: unknown[] }>().failed.length, 25);
});

Deno.test("cli sync: a failed entry is listed with its error; the others are copied; --json has both", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.txt", "a\n");
  await ws.write("b.txt", "b\n");
  assertEquals((await ws.vc("add", "/a.txt", "a.txt")).code, 0);
  assertEquals((await ws.vc("add", "/b.txt", "b.txt")).code, 0);
  await Deno.remove(ws.path("bucket/b.1.0.0.txt"));

  const text = await ws.vc("sync", "out");
  assertEquals(text.code, 1);
  assertStringIncludes(text.stderr, "sync failed: /b.txt: version 1.0.0 of /b.txt does not exist");
  assertStringIncludes(text.stderr, "1 of 2 manifest entries failed; 1 copied to");
  assertStringIncludes(text.stdout, "/a.txt");
  assertEquals(await ws.read("out/a.txt"), "a\n");

  const json = await ws.vc("sync", "out2", "--json");
  assertEquals(json.code, 1);
  const doc = json.json<{
    total: number;
    copied: { path: string }[];
    failed: { path: string; error: string; errorName: string }[];
  }>();
  assertEquals(doc.total, 2);
  assertEquals(doc.copied.map((c) => c.path), ["/a.txt"]);
  assertEquals(doc.failed.map((f) => [f.path, f.errorName]), [["/b.txt", "NotFoundError"]]);
  assertStringIncludes(doc.failed[0]!.error, "does not exist");
  assertEquals(await ws.read("out2/a.txt"), "a\n");

  // Something in the way at the destination: named, with what is there.
  await Deno.mkdir(ws.path("out3/a.txt"), { recursive: true });
  const dir = await ws.vc("sync", "out3");
  assertEquals(dir.code, 1);
  assertStringIncludes(
    dir.stderr,
    `sync failed: /a.txt: cannot write ${ws.path("out3/a.txt")}: a directory is there`,
  );
  // DEST itself a file: said once, for the whole sync (versioned_sync_links_test.ts).
  await ws.write("out4", "a file");
  const file = await ws.vc("sync", "out4");
  assertStringIncludes(
    file.stderr,
    `sync to ${ws.path("out4")} copied nothing: it is a file, not a directory`,
  );
  // A file where an entry needs a directory, inside DEST: named for that entry.
  assertEquals((await ws.vc("add", "/sub/c.txt", "a.txt")).code, 0);
  await ws.write("out5/sub", "a file");
  const below = await ws.vc("sync", "out5");
  assertStringIncludes(
    below.stderr,
    `cannot write ${ws.path("out5/sub/c.txt")}: a file is where one of its directories belongs`,
  );
});

Deno.test("a manifest that cannot be opened (a loop of links) is named", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.symlink(ws.path("l1"), ws.path("l2"));
  await Deno.symlink(ws.path("l2"), ws.path("l1"));
  assertFailure(await ws.run(["ls", "--manifest", "l1"]), 1, "cannot read manifest", "l1");
});

Deno.test("cli versions / ls-remote: a file:// bucket whose directory is missing is an error, not an empty bucket", async () => {
  await using ws = await CliWorkspace.create();
  for (const args of [["versions", "/a.csv"], ["ls-remote"]]) {
    const r = await ws.run([...args, "--bucket", ws.path("typo")]);
    assertFailure(r, 1, "does not exist", ws.path("typo"), "check --bucket");
  }
  // An existing, empty one lists nothing.
  assertEquals((await ws.vc("ls-remote")).code, 0);
});

Deno.test("cli versioned: update says when the manifest pinned an older version than the bucket's latest", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  assertEquals((await ws.vc("add", "/f.txt", "f.txt")).code, 0);
  await ws.write("f.txt", "two");
  assertEquals((await ws.vc("update", "/f.txt", "f.txt", "--major")).code, 0);
  // A teammate's checkout still pins 1.0.0; the bucket's latest is 2.0.0.
  await ws.write("versioned_assets.json", '{ "/f.txt": "1.0.0" }\n');
  await ws.write("f.txt", "three");
  const human = await ws.vc("update", "/f.txt", "f.txt", "--patch");
  assertEquals(human.code, 0, human.stderr);
  assertStringIncludes(human.stdout, "2.0.0 -> 2.0.1");
  assertStringIncludes(human.stdout, "the manifest pinned 1.0.0, the bucket's latest was 2.0.0");
  await ws.write("f.txt", "four");
  const json = await ws.vc("update", "/f.txt", "f.txt", "--patch", "--json");
  const j = json.json<{ from: string; to: string; pinned?: string }>();
  // The pin was the bucket's latest this time: nothing to say.
  assertEquals([j.from, j.to, j.pinned], ["2.0.1", "2.0.2", undefined]);
});

Deno.test("cli versioned: ls warns of manifest paths spelled differently in Unicode (a hand edit)", async () => {
  await using ws = await CliWorkspace.create();
  // add and update refuse a twin; an edit by hand is only read.
  await ws.write(
    "versioned_assets.json",
    JSON.stringify({ "/caf\u00e9.csv": "1.0.0", "/cafe\u0301.csv": "1.0.1", "/a.csv": "2.0.0" }),
  );
  const ls = await ws.vc("ls", "--json");
  assertEquals(ls.code, 0, ls.stderr);
  assertEquals(ls.json<unknown[]>().length, 3);
  assertStringIncludes(ls.stderr, "spelled differently in Unicode");
  assertStringIncludes(ls.stderr, "(NFC vs NFD)");
  assertStringIncludes(ls.stderr, "versioned_assets.json");
  assertStringIncludes(ls.stderr, "vc: warning:");
  // A warning, so --quiet drops it (the list stays).
  const quiet = await ws.vc("ls", "--quiet");
  assertEquals([quiet.code, quiet.stderr], [0, ""]);
  assertEquals(quiet.stdout.trim().split("\n").length, 3);
  // None: no warning.
  await ws.write("versioned_assets.json", JSON.stringify({ "/a.csv": "2.0.0" }));
  assertEquals((await ws.vc("ls")).stderr, "");
});

Deno.test("cli versioned: manifest paths spelled differently in Unicode are printed apart by every listing", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write(
    "versioned_assets.json",
    JSON.stringify({
      "/caf\u00e9.csv": "1.0.0",
      "/cafe\u0301.csv": "1.0.0",
      "/na\u00efve.csv": "1.0.0",
    }),
  );
  const nfc = String.raw`/caf\u00e9.csv`, nfd = String.raw`/cafe\u0301.csv`;
  // The bucket holds none of them: each entry fails, on a line of its own.
  for (const args of [["lock"], ["lock", "--check"], ["verify"], ["sync", "out"], ["ls"]]) {
    const r = await ws.vc(...args);
    const all = r.stdout + r.stderr;
    for (const shown of [nfc, nfd]) assertStringIncludes(all, shown, args.join(" "));
    // The warning names the two spellings apart, too.
    assert(
      [`"${nfc}" and "${nfd}" (NFC vs NFD)`, `"${nfd}" and "${nfc}" (NFC vs NFD)`]
        .some((pair) => r.stderr.includes(pair)),
      `${args.join(" ")}: ${r.stderr}`,
    );
    // A path without a twin is printed as it is.
    assertStringIncludes(all, "/na\u00efve.csv", args.join(" "));
  }
  const lock = await ws.vc("lock");
  assertEquals(lock.code, 1);
  assertStringIncludes(lock.stderr, `vc: lock failed: ${nfd}@1.0.0:`);
  assertStringIncludes(lock.stderr, `vc: lock failed: ${nfc}@1.0.0:`);
  // --json keeps each path exactly as the manifest spells it.
  const json = await ws.vc("ls", "--json");
  assertEquals(
    json.json<{ path: string }[]>().map((r) => r.path).sort(),
    ["/caf\u00e9.csv", "/cafe\u0301.csv", "/na\u00efve.csv"].sort(),
  );
});
