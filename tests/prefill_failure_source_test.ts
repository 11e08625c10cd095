// A prefill failure names where its item came from: the list file and its
// 1-based line (`file:line`, as a bad line of a list is named), or the
// manifest of a manifest entry; in the library's summary, the text output
// and `--json`, for a 404, a server error, an integrity error and a bad key.
import { childEnv, vcCommand } from "./cli_process.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError, VcError } from "../src/errors.ts";
import { readListEntries, readListFile } from "../src/prefill/list_file.ts";
import { prefill, type PrefillFailure } from "../src/prefill/prefill.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

/**
 * A fake S3 with `ok.bin`, `boom.bin` (a 500 for every GET) and `flip.bin` (a
 * byte of its body flipped in the next 100 GETs: more than any retries).
 */
async function faultyS3(): Promise<FakeS3> {
  const s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "ok.bin", "fine");
  await s3.putObject("b", "boom.bin", "never arrives");
  await s3.putObject("b", "flip.bin", "x".repeat(4096));
  s3.setFaults({
    errorRate: 1,
    match: ({ op, key }) => op === "GetObject" && key === "boom.bin",
  });
  s3.failNext(100, "corrupt", ({ key }) => key === "flip.bin");
  return s3;
}

/** The list the tests read: the line of each item is given in the comment beside it. */
const LIST = [
  "# assets for CI", // 1
  "s3://b/ok.bin", // 2
  "", // 3
  "s3://b/missing.bin", // 4: 404
  "s3://b/boom.bin", // 5: server error
  "  s3://b/../escape.bin", // 6: bad key (refused by the cache)
  "/foo/bar.csv@1.0.0", // 7: versioned: no manifest to resolve it, or not in the bucket
  "s3://b/flip.bin", // 8: integrity error
  "s3://b/missing.bin", // 9: a repeat: one item, named at its first line
].join("\n") + "\n";

/** Failures by item, without their messages (checked for a few words only). */
function byItem(failed: PrefillFailure[]): Record<string, Omit<PrefillFailure, "error">> {
  return Object.fromEntries(
    failed.map(({ error: _e, ...f }) => [f.item, f]),
  );
}

Deno.test("prefill of list entries: every failure names the list file and line", async () => {
  await using s3 = await faultyS3();
  const dir = await Deno.makeTempDir({ prefix: "vc_prefill_source_" });
  try {
    const list = join(dir, "assets.txt");
    await Deno.writeTextFile(list, LIST);
    const more = join(dir, "more.txt");
    await Deno.writeTextFile(more, "# the same item in a second list\ns3://b/boom.bin\n");
    await withProcessEnv({ ...s3.env, AWS_MAX_ATTEMPTS: "1" }, async () => {
      await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
      const entries = [...await readListEntries(list), ...await readListEntries(more)];
      const summary = await prefill({ cache, uris: entries });
      assertEquals(summary.fetched, 1, JSON.stringify(summary));
      const failed = byItem(summary.failed);
      assertEquals(failed["s3://b/missing.bin"], {
        item: "s3://b/missing.bin",
        file: list,
        line: 4,
        errorName: "NotFoundError",
      });
      assertEquals(failed["s3://b/boom.bin"]?.file, list);
      assertEquals(failed["s3://b/boom.bin"]?.line, 5);
      assertEquals(failed["s3://b/../escape.bin"], {
        item: "s3://b/../escape.bin",
        file: list,
        line: 6,
        errorName: "InvalidInputError",
      });
      assertEquals(failed["/foo/bar.csv@1.0.0"]?.line, 7);
      assertEquals(failed["s3://b/flip.bin"], {
        item: "s3://b/flip.bin",
        file: list,
        line: 8,
        errorName: "IntegrityError",
      });
      assertEquals(summary.failed.length, 5, JSON.stringify(summary.failed));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefill: plain string items have no file; manifest entries name their manifest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_prefill_source_" });
  try {
    const bucket = join(dir, "bucket");
    await Deno.mkdir(bucket);
    await Deno.writeTextFile(join(bucket, "a.1.0.0.csv"), "a");
    const manifest = join(dir, "versioned_assets.json");
    await Deno.writeTextFile(manifest, '{"/a.csv": "1.0.0", "/gone.csv": "1.0.0"}');
    const other = join(dir, "other.json");
    await Deno.writeTextFile(other, '{"/gone.csv": "2.0.0"}');
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    const open = (m: string) =>
      new VersionedCache({ manifest: m, bucket: `file://${bucket}`, cache });
    await using first = open(manifest);
    await using second = open(other);
    const summary = await prefill({
      cache,
      versioned: [first, second],
      uris: [`file://${bucket}/nope.csv`],
    });
    assertEquals(summary.fetched, 1, JSON.stringify(summary));
    assertEquals(
      summary.failed.map(({ error: _e, ...f }) => f),
      [
        { item: "/gone.csv", file: manifest, errorName: "NotFoundError" },
        { item: "/gone.csv", file: other, errorName: "NotFoundError" },
        { item: `file://${bucket}/nope.csv`, errorName: "NotFoundError" },
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readListEntries: standard input is <stdin>, in entries and in bad-line errors", async () => {
  const stream = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);
  assertEquals(await readListEntries("-", { stdin: stream("\ns3://b/k\n") }), [
    { item: "s3://b/k", file: "<stdin>", line: 2 },
  ]);
  const error = await assertRejects(
    () => readListFile("-", { stdin: stream("s3://b/k\nftp://x/y\n") }),
    InvalidInputError,
  );
  assertStringIncludes(error.message, "<stdin>:2: ");
});

Deno.test("a list line too long for any URI or path is named by its start and length, not printed whole", async () => {
  const stream = (text: string) => ReadableStream.from([new TextEncoder().encode(text)]);
  const cases: [string, string][] = [
    ["x".repeat(100_000), "is too long"],
    ["y".repeat(5_000), "neither"],
  ];
  for (const [line, why] of cases) {
    const error = await assertRejects(
      () => readListFile("-", { stdin: stream(`s3://b/k\n${line}\n`) }),
      InvalidInputError,
    );
    assertStringIncludes(error.message, "<stdin>:2: ");
    assertStringIncludes(error.message, why);
    assertStringIncludes(error.message, `(${line.length} characters)`);
    assert(error.message.length < 400, `${error.message.length} characters`);
  }
  // A long but possible item (a deep file:// path) is taken.
  const deep = `file:///${"d/".repeat(2000)}f.csv`;
  assertEquals((await readListFile("-", { stdin: stream(`${deep}\n`) })).length, 1);
});

interface JsonSummary {
  failed: PrefillFailure[];
}

Deno.test("cli prefill --list: each failure line and --json entry names the list file and line", async () => {
  await using s3 = await faultyS3();
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "a");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0", "/gone.csv": "1.0.0"}');
  const list = await ws.write("ci/assets.txt", LIST);
  const env = { ...s3.env, AWS_MAX_ATTEMPTS: "1" };
  await withProcessEnv(env, async () => {
    const args = ["prefill", "--list", "ci/assets.txt", "--manifest", "versioned_assets.json"];
    const text = await ws.run([...args, "--bucket", ws.bucket], env);
    assertEquals(text.code, 1, text.stderr);
    // flip.bin's download is tried again (corrupt content): said in a retry warning line,
    // and those not shown counted at the end.
    const all = text.stderr.trimEnd().split("\n");
    const lines = all.filter((l) => !l.startsWith("vc: warning: "));
    assert(
      all.every((l) =>
        !l.startsWith("vc: warning: ") || l.includes("; trying again (") ||
        /^vc: warning: \.\.\. and \d+ more retr(y|ies) not shown \(\d+ in all\)$/.test(l)
      ),
      text.stderr,
    );
    const expected = [
      `${ws.path("versioned_assets.json")}: /gone.csv: `,
      `${list}:4: s3://b/missing.bin: `,
      `${list}:5: s3://b/boom.bin: `,
      `${list}:6: s3://b/../escape.bin: `,
      // The manifest resolves it to a key the bucket does not have.
      `${list}:7: /foo/bar.csv@1.0.0: `,
      `${list}:8: s3://b/flip.bin: `,
    ];
    assertEquals(lines.length, expected.length + 1, text.stderr);
    expected.forEach((start, i) => {
      assert(lines[i]!.startsWith(`vc: prefill failed: ${start}`), `${start}\n${text.stderr}`);
    });
    assertEquals(lines.at(-1), "vc: 6 of 8 items failed");
    // An error that names its URI first (a download's) is not preceded by it again.
    assert(lines.every((l) => !/: (s3:\/\/\S+): \1: /.test(l)), text.stderr);

    const json = await ws.run([...args, "--bucket", ws.bucket, "--json"], env);
    assertEquals(json.code, 1, json.stderr);
    assertEquals(
      json.json<JsonSummary>().failed.map(({ item, file, line }) => ({ item, file, line })),
      [
        { item: "/gone.csv", file: ws.path("versioned_assets.json"), line: undefined },
        { item: "s3://b/missing.bin", file: list, line: 4 },
        { item: "s3://b/boom.bin", file: list, line: 5 },
        { item: "s3://b/../escape.bin", file: list, line: 6 },
        { item: "/foo/bar.csv@1.0.0", file: list, line: 7 },
        { item: "s3://b/flip.bin", file: list, line: 8 },
      ],
    );
  });
});

Deno.test("vc prefill --list - names standard input <stdin> in a failure", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_prefill_stdin_" }));
  try {
    const env = childEnv(dir, { HOME: dir, XDG_CONFIG_HOME: join(dir, ".config") });
    const child = vcCommand(dir, env, ["prefill", "--list", "-"], 120_000, { stdin: "piped" })
      .spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`# piped\nfile://${dir}/missing.bin\n`));
    await writer.close();
    const { code, stderr } = await child.output();
    const err = new TextDecoder().decode(stderr);
    assertEquals(code, 1, err);
    assertStringIncludes(err, `vc: prefill failed: <stdin>:2: file://${dir}/missing.bin: `);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a list that cannot be read from standard input or a pipe is named in the error", async () => {
  const failing = new ReadableStream<Uint8Array>({
    pull: () => Promise.reject(new Error("Is a directory (os error 21)")),
  });
  const error = await assertRejects(() => readListEntries("-", { stdin: failing }), VcError);
  assertEquals(
    error.message,
    "cannot read standard input (list file): Is a directory (os error 21)",
  );
});

Deno.test({
  name: "vc prefill --list - with standard input that cannot be read says so in one line",
  // A shell redirects a directory to standard input.
  ignore: Deno.build.os === "windows",
}, async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_prefill_stdin_" }));
  try {
    const root = fileURLToPath(new URL("..", import.meta.url));
    // A CI step whose standard input is a directory: the read fails.
    const { code, stderr } = await new Deno.Command("sh", {
      args: [
        "-c",
        `exec "$0" run ${
          PERMISSION_FLAGS.map((f) => `'${f}'`).join(" ")
        } "$1" prefill --list - < "$2"`,
        Deno.execPath(),
        join(root, "cli.ts"),
        dir,
      ],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, { HOME: dir }),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const err = new TextDecoder().decode(stderr);
    assertEquals(code, 1, err);
    assertEquals(err.trimEnd().split("\n"), [
      "vc: cannot read standard input (list file): Is a directory (os error 21)",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
