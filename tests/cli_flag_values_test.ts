/**
 * A flag whose value the command cannot use is a usage error (exit 2) that
 * names the flag, whichever layer finds the value wrong; nothing runs.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("cli: unusable flag values exit 2 naming the flag", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "x");
  await Deno.mkdir(ws.path("src"));
  const repo = `--repo=${ws.bucket}/repo`;
  const cases: [string[], string][] = [
    [["cache", "get", `${ws.bucket}/f.txt`, "--request-timeout", "abc"], "--request-timeout"],
    [["repo", "ls", "--state", "bogus", repo], "--state"],
    [["repo", "add", "/a.txt", "f.txt", "--date-tag", "year", repo], "--date-tag"],
    [["repo", "claim", "--ttl", "0", repo], "--ttl"],
    [["repo", "find", repo], "give tags"],
    [["repo", "add", "/a.txt", "f.txt", "--tag", ",,", repo], "name no tag"],
    [["repo", "tag", "1", " , ", repo], "name no tag"],
    // A malformed tag or logical path, as a malformed ID or versioned PATH.
    [["repo", "add", "/a.txt", "f.txt", "--tag", "two words", repo], "--tag"],
    [["repo", "add", "/a/../b", "f.txt", repo], "PATH"],
    [["repo", "current", "/a//b", repo], "PATH"],
    [["repo", "tag", "/a/../b", "t", repo], "TARGET"],
    [["repo", "tag", "1", "x\u0001", repo], "TAGS"],
    [["repo", "find", "--any", "two words", repo], "--any"],
    [["repo", "ls", "--path", "/a/./b", repo], "--path"],
    [["repo", "ls", "--tag", "two words", repo], "--tag"],
    // Empty (a variable left empty): no filter would claim a record of any path.
    [["repo", "claim", "--ttl", "5m", "--path", "", repo], "--path"],
    [["repo", "claim", "--ttl", "5m", "--tag", "", repo], "--tag"],
    // Nor adds a record no `claim --tag` finds, or lists and finds more than asked.
    [["repo", "add", "/a.txt", "f.txt", "--tag", "", repo], "--tag"],
    [["repo", "add", "/a.txt", "f.txt", "--date-tag", "", repo], "--date-tag"],
    [["repo", "find", "--any", "t", "--exclude", "", repo], "--exclude"],
    [["repo", "find", "--any", "t", "--all", " ", repo], "--all"],
    [["repo", "tag", "1", "", repo], "TAGS"],
    [["repo", "ls", "--state", "", repo], "--state"],
    [["mirror", "src", `${ws.bucket}/m`, "--target-prefix", "../up"], "--target-prefix"],
    [
      ["mirror", "src", `${ws.bucket}/m`, "--watch", "--reconcile-interval", "0"],
      "--reconcile-interval",
    ],
    [["repo", "ls", "--repo", "ftp://x/repo"], "--repo"],
    // A URI argument that is none, as a --bucket, --store or TARGET that is none.
    [["cache", "get", "http://example.com/f.txt"], "URI"],
    [["cache", "invalidate", "s3://"], "URI"],
    [["cache", "rm", ""], "URI"],
    [["mirror", "src", "s3://"], "TARGET"],
    [["mirror", "s3://bad bucket/p", "src"], "SOURCE"],
    [["serve", "add-token", "a b", "--token-file", "tokens.json"], "NAME"],
    [
      [
        "cache-client",
        "put",
        "abc".repeat(43).slice(1),
        "f.txt",
        "--url",
        "http://127.0.0.1:9",
        "--token",
        "t",
        "--content-type",
        "bad type",
      ],
      "--content-type",
    ],
    [["repo", "get", "abc", repo], "ID"],
    [["serve", "--store", "ftp://x", "--token-file", "tokens.json"], "--store"],
    [
      ["cache-client", "rm", "abc".repeat(43).slice(1), "--url", "notaurl", "--token", "t"],
      "--url",
    ],
    [["path", "/f.txt", "--manifest", ""], "--manifest"],
  ];
  for (const [args, flag] of cases) {
    const r = await ws.run(args);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, flag, args.join(" "));
  }
  // Nothing ran: no repository, no mirror state, no upload, no token file.
  assertEquals(await Deno.stat(ws.path("bucket/m")).then(() => true, () => false), false);
  assertEquals(await Deno.stat(ws.path("tokens.json")).then(() => true, () => false), false);
});

Deno.test("cli: relative file flags are named resolved (no /./ in messages)", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run([
    "serve",
    "--store",
    `${ws.bucket}/svc`,
    "--token-file",
    "./missing.json",
  ]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, `token file ${ws.path("missing.json")} does not exist`);
  assertEquals(r.stderr.includes("/./"), false, r.stderr);
});

Deno.test("cli: a bad --request-timeout is a usage error for every command, store or not", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", "{}");
  // Global ("on any command"): before, commands that open no store passed
  // it unchecked (`vc ls`, `vc cache dir` exit 0; `vc serve add-token`
  // wrote a token), and `vc serve expire` looked at its store first.
  const cases: string[][] = [
    ["ls"],
    ["cache", "dir"],
    ["config"],
    ["serve", "add-token", "bob", "--token-file", "tokens.json"],
    ["serve", "expire", "--store", `${ws.bucket}/missing`],
  ];
  for (const args of cases) {
    const r = await ws.run([...args, "--request-timeout", "soon"]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, "--request-timeout", args.join(" "));
  }
  assertEquals(await Deno.stat(ws.path("tokens.json")).then(() => true, () => false), false);
  // A good value is taken by them all.
  assertEquals((await ws.run(["ls", "--request-timeout", "5"])).code, 0);
});

Deno.test("cli: the request timeout takes the units every other duration takes", async () => {
  // `2m` was taken and `2min`, `1h` or `30S` refused, where README says
  // durations take `ms`, `s`/`sec`, `m`/`min`, `h`, `d`, `w` in any case.
  await using ws = await CliWorkspace.create();
  const rowOf = async (args: string[], env: Record<string, string> = {}) => {
    const r = await ws.run(["config", "--json", ...args], env);
    assertEquals(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; value: unknown }[];
    return rows.find((row) => row.name === "requestTimeout")?.value;
  };
  assertEquals(await rowOf(["--request-timeout", "2min"]), 120);
  assertEquals(await rowOf(["--request-timeout", "30S"]), 30);
  assertEquals(await rowOf([], { VC_REQUEST_TIMEOUT: "1h" }), 3600);
  assertEquals(await rowOf([], { VC_REQUEST_TIMEOUT: "1m30s" }), 90);
  // Bare seconds and the forms taken before still are.
  assertEquals(await rowOf(["--request-timeout", "0.5"]), 0.5);
  assertEquals(await rowOf(["--request-timeout", "500ms"]), 0.5);
  assertEquals(await rowOf(["--request-timeout", "0"]), 0);
  // Months are no length.
  assertEquals((await ws.run(["config", "--request-timeout", "6M"])).code, 2);
});

Deno.test("cli: a duration refused for its capital M says it reads as months", async () => {
  await using ws = await CliWorkspace.create();
  // README: a capital M alone "reads as months … and is refused rather than
  // taken for minutes"; before, the error only asked for "a number with a
  // unit", which 10M seemed to be.
  for (
    const [args, env, code] of [
      [["cache", "prune", "--older-than", "10M"], {}, 2],
      [["cache", "prune", "--older-than", "1H30M"], {}, 2],
      [["cache", "dir", "--timeout", "10M"], {}, 2],
      [["cache", "dir"], { VC_CACHE_TIMEOUT: "2M" }, 1],
    ] as [string[], Record<string, string>, number][]
  ) {
    const r = await ws.run(args, env);
    assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assertStringIncludes(r.stderr, "reads as months", args.join(" "));
  }
  const other = await ws.run(["cache", "prune", "--older-than", "10X"]);
  assertEquals(other.stderr.includes("months"), false, other.stderr);
});
