/**
 * A script's contract with `vc`, command by command and outcome by outcome,
 * run as the release build runs (`deno run` with its permission flags): the
 * exit code of success, nothing to do, some items failed, a usage error, a
 * missing or malformed input, an unreachable store or service and an
 * interrupt; under `--json`, exactly one JSON document on stdout in every
 * one of them, the error document of the documented shape (`kind` one of
 * `ERROR_KINDS`, `exitCode` the exit code), every failed item with its
 * `error` and `errorName`, and the reason of a failure on stderr. Each row
 * names the README line that documents its outcome, which must be there.
 *
 * Five outcomes broke it: `vc sync --json` had no `bytes` and `seconds`,
 * which `vc prefill --json` and `vc mirror --json` give; a `vc verify --json`
 * entry the store failed on had its `errorName` without the `error` every
 * other failure has; a `vc mirror` source that does not exist was `kind`
 * `InvalidInputError` (every other missing input is `NotFoundError`); a
 * `vc cache-client put` or `rm` of an ID the service does not know (its 404
 * `Cache ID not found`) was `VcError`, which a script cannot tell from any
 * other failure; and README's "exit codes are the same for every command …
 * 130 interrupted (Ctrl-C or SIGTERM)" did not hold for `vc serve` and
 * `vc mirror --watch`, which exit 0 once drained, nor say what
 * `vc repo current` prints when nothing is published (`null`, exit 1).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { COMMANDS } from "../src/cli/command_table.ts";
import { ERROR_KINDS } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, ok, type Run, testAwsEnv, vcCommand, withWorkspace } from "./cli_process.ts";
import { silentServer } from "./raw_server.ts";
import { startService } from "./server_helpers.ts";

const README = (await Deno.readTextFile(new URL("../README.md", import.meta.url))).replace(
  /\s+/g,
  " ",
);

const ERROR_KEYS = ["name", "kind", "message", "exitCode"];

/** One command line and the outcome a script may rely on. */
interface Row {
  what: string;
  args: string[];
  env?: Record<string, string>;
  code: number;
  /** `error`: the error document, of this kind; else the command's own document. */
  kind?: string;
  /** Checks of the command's own document. */
  check?: (doc: unknown) => void;
  /** Words of README that document this outcome. */
  doc: string;
}

/**
 * Every failure `doc` names, however deep: the items of an array named
 * `failed`, and any object with an `errorName` (a `vc verify` entry).
 */
function failures(doc: unknown): Record<string, unknown>[] {
  if (doc === null || typeof doc !== "object") return [];
  const found: Record<string, unknown>[] = [];
  if ("errorName" in doc) found.push(doc as Record<string, unknown>);
  for (const [k, v] of Object.entries(doc)) {
    if (k === "failed" && Array.isArray(v)) found.push(...v);
    found.push(...failures(v).filter((f) => !found.includes(f)));
  }
  return found;
}

/** The contract of one `--json` run; returns its document. */
function checkRun(row: Pick<Row, "what" | "code" | "kind" | "check">, run: Run): unknown {
  const where = `${row.what}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assertEquals(run.code, row.code, where);
  // Exactly one JSON document: JSON.parse takes nothing before or after it.
  let doc: unknown;
  try {
    doc = JSON.parse(run.stdout);
  } catch (error) {
    throw new Error(`stdout is not one JSON document: ${error}\n${where}`);
  }
  if (row.code !== 0) assert(run.stderr.includes("vc: "), `no reason on stderr: ${where}`);
  if (row.kind !== undefined) {
    const error = (doc as { error: Record<string, unknown> }).error;
    assertEquals(Object.keys(doc as object), ["error"], where);
    const keys = Object.keys(error);
    assertEquals(keys.slice(0, 4), ERROR_KEYS, where);
    assert(keys.length === 4 || (keys.length === 5 && keys[4] === "hint"), where);
    assertEquals(error.exitCode, row.code, where);
    assertEquals(error.kind, row.kind, where);
    assert(typeof error.message === "string" && error.message !== "", where);
    assert(run.stderr.includes(`vc: ${(error.message as string).slice(0, 40)}`), where);
  }
  for (const item of failures(doc)) {
    assert(typeof item.error === "string", `a failure without error: ${where}`);
    assert((ERROR_KINDS as readonly string[]).includes(item.errorName as string), where);
  }
  row.check?.(doc);
  return doc;
}

/** `vc ARGS` started in `dir`, its output read as it comes; `signal` sends one to it. */
function started(dir: string, env: Record<string, string>, args: string[]) {
  const child = vcCommand(dir, env, args).spawn();
  const stdout = { text: "" };
  const read = async (stream: ReadableStream<Uint8Array>, out: { text: string }) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) out.text += chunk;
  };
  const stderr = { text: "" };
  const reading = Promise.all([read(child.stdout, stdout), read(child.stderr, stderr)]);
  return {
    stdout,
    signal: (signal: Deno.Signal) => child.kill(signal),
    async run(): Promise<Run> {
      const { code } = await child.status;
      await reading;
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
  };
}

function documented(row: Pick<Row, "what" | "doc">): void {
  assert(
    README.includes(row.doc.replace(/\s+/g, " ")),
    `README does not say: ${row.doc} (${row.what})`,
  );
}

Deno.test("every command's exit code and --json document, outcome by outcome, as documented", async () => {
  await using service = await startService();
  await withWorkspace(async (dir, vc, inProcess) => {
    const bucket = pathToFileURL(join(dir, "bucket")).href;
    const repo = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "b.csv"), "b\n");
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "s.txt"), "s\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");
    // partial.json: /a.csv, and /b.csv whose object is gone from the bucket.
    ok(await vc(["add", "/b.csv", "b.csv", "--manifest", "partial.json"]), "add b");
    ok(await vc(["add", "/a.csv", "a.csv", "--manifest", "partial.json"]), "add a");
    await Deno.remove(join(dir, "bucket", "b.1.0.0.csv"));
    await Deno.writeTextFile(join(dir, "broken.json"), "{not json");
    const refused = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = (refused.addr as Deno.NetAddr).port;
    refused.close();
    const down = { ...testAwsEnv(`http://127.0.0.1:${closed}`), VC_BUCKET: "s3://bkt" };
    const cacheClient = ["--url", service.url, "--token", service.tokens.alice];
    const unknownId = "a".repeat(128);
    const emptyId = (await (await fetch(`${service.url}/v1/cache_id`, {
      method: "POST",
      headers: { authorization: service.tokens.alice, "content-type": "application/json" },
      body: JSON.stringify({ contract: 1 }),
    })).json()).cache_id as string;
    const mirrorTarget = pathToFileURL(join(dir, "mirrored")).href;
    await Deno.mkdir(join(dir, "mirrored"));

    const rows: Row[] = [
      // done
      ...[
        ["path", "/a.csv"],
        ["get", "/a.csv", "copy.csv"],
        ["versions", "/a.csv"],
        ["ls"],
        ["ls-remote"],
        ["path-remote", "/a.csv"],
        ["verify"],
        ["sync", "dest"],
        ["lock"],
        ["lock", "--check"],
        ["prefill"],
        ["cache", "ls"],
        ["cache", "verify"],
        ["config"],
        ["mirror", "src", mirrorTarget],
      ].map((args): Row => ({ what: args.join(" "), args, code: 0, doc: "| done | 0 |" })),
      { what: "repo init", args: ["repo", "init"], env: repo, code: 0, doc: "| done | 0 |" },
      // nothing to do
      ...[
        ["versions", "/none.csv"],
        ["cache", "rm", `${bucket}/none.csv`],
        ["cache", "invalidate", `${bucket}/none.csv`],
        ["mirror", "src", mirrorTarget],
      ].map((args): Row => ({
        what: `nothing to do: ${args.join(" ")}`,
        args,
        code: 0,
        doc: "| nothing to do (a `vc cache rm` of what is not cached",
      })),
      {
        what: "nothing to do: repo find",
        args: ["repo", "find", "--any", "none"],
        env: repo,
        code: 0,
        check: (doc) => assertEquals(doc, []),
        doc: "a `vc repo find` or `vc repo claim` that finds nothing",
      },
      {
        what: "nothing to do: repo claim",
        args: ["repo", "claim", "--tag", "none", "--ttl", "5m"],
        env: repo,
        code: 0,
        check: (doc) => assertEquals(doc, null),
        doc: "a `vc repo find` or `vc repo claim` that finds nothing",
      },
      {
        what: "nothing found: repo current",
        args: ["repo", "current", "/none.csv"],
        env: repo,
        code: 1,
        check: (doc) => assertEquals(doc, null),
        doc: "`vc repo current` of a path with no published record | 1 | `null` |",
      },
      // the cache service finds nothing
      {
        what: "cache-client get of a cache with no file",
        args: ["cache-client", "get", emptyId, "out.bin", ...cacheClient],
        code: 1,
        kind: "NotFoundError",
        doc: "`vc cache-client get` of a cache with no file",
      },
      {
        what: "cache-client rm of an unknown ID",
        args: ["cache-client", "rm", unknownId, ...cacheClient],
        code: 1,
        kind: "NotFoundError",
        doc: "`put` or `rm` of an ID the service does not know",
      },
      {
        what: "cache-client put to an unknown ID",
        args: ["cache-client", "put", unknownId, "a.csv", ...cacheClient],
        code: 1,
        kind: "NotFoundError",
        doc: "`put` or `rm` of an ID the service does not know",
      },
      // some items failed
      ...[["sync", "dest2"], ["prefill"], ["verify"], ["lock", "--check"]].map((args): Row => ({
        what: `partial: ${args.join(" ")}`,
        args: [...args, "--manifest", "partial.json"],
        code: 1,
        doc: "| some items failed (`vc prefill`, `sync`, `verify`, `lock`, `lock --check`",
      })),
      // missing or malformed input
      {
        what: "a manifest that is no JSON",
        args: ["ls", "--manifest", "broken.json"],
        code: 1,
        kind: "InvalidInputError",
        doc: "malformed (a manifest that is no JSON)",
      },
      ...[
        ["sync", "--manifest", "none.json"],
        ["prefill", "--list", "none.txt"],
        ["add", "/n.csv", "none.csv"],
        ["cache-client", "put", emptyId, "none.csv", ...cacheClient],
        ["mirror", "nosuchdir", mirrorTarget],
      ].map((args): Row => ({
        what: `missing input: ${args.slice(0, 3).join(" ")}`,
        args,
        code: 1,
        kind: "NotFoundError",
        doc:
          "an input missing (a manifest, `--list` file, file to publish or upload, `vc mirror` source)",
      })),
      {
        what: "missing input: a file:// mirror source",
        args: ["mirror", pathToFileURL(join(dir, "nobucket")).href, join(dir, "down")],
        code: 1,
        kind: "NotFoundError",
        doc: "(a `file://` mirror source: its `StoreNotFoundError`)",
      },
      // the store or service cannot be reached
      ...[["path", "/a.csv"], ["versions", "/a.csv"], ["cache", "get", "s3://bkt/x"]].map((
        args,
      ): Row => ({
        what: `unreachable: ${args.join(" ")}`,
        args,
        env: down,
        code: 1,
        kind: "OfflineError",
        doc: "| the store or cache service cannot be reached | 1 |",
      })),
      {
        what: "unreachable: verify",
        args: ["verify"],
        env: down,
        code: 1,
        check: (doc) =>
          assertEquals((doc as { errorName?: string }[])[0]?.errorName, "OfflineError"),
        doc: "or the report naming it (the commands that list their failures, above)",
      },
      {
        what: "unreachable: cache-client",
        args: [
          "cache-client",
          "rm",
          unknownId,
          "--url",
          `http://127.0.0.1:${closed}`,
          "--token",
          "t",
        ],
        code: 1,
        kind: "OfflineError",
        doc: "| the store or cache service cannot be reached | 1 |",
      },
    ];
    for (const row of rows) {
      documented(row);
      const doc = checkRun(row, await vc([...row.args, "--json"], row.env));
      // The reports of commands that move files say how much, and how long,
      // under the same names.
      if (["sync", "prefill", "mirror"].includes(row.args[0]!) && row.kind === undefined) {
        const { bytes, seconds } = doc as { bytes?: unknown; seconds?: unknown };
        assert(
          typeof bytes === "number" && typeof seconds === "number",
          `${row.what}: ${bytes}, ${seconds}`,
        );
      }
    }

    // A usage error, for every command in the table (in-process: the
    // command line is refused before any of them reads anything).
    for (const { name } of COMMANDS) {
      const row = {
        what: `usage: vc ${name} --no-such-flag`,
        code: 2,
        kind: "InvalidInputError",
        doc: "| a usage error | 2 | the error document, `kind` `InvalidInputError` |",
      };
      documented(row);
      checkRun(row, await inProcess([...name.split(" "), "--no-such-flag", "--json"], repo));
    }
    documented({ what: "usage", doc: "| a usage error | 2 |" });
    checkRun(
      { what: "usage as a process", code: 2, kind: "InvalidInputError" },
      await vc(["sync", "a", "b", "--json"]),
    );

    // An interrupt, at a store that never answers.
    await using silent = silentServer();
    const stalled = { ...testAwsEnv(silent.url), VC_BUCKET: "s3://bkt" };
    for (
      const [args, kind] of [
        [["path", "/a.csv"], "VcError"],
        [["prefill"], undefined],
      ] as const
    ) {
      const before = silent.accepted();
      const child = started(dir, { ...childEnv(dir), ...stalled }, [...args, "--json"]);
      while (silent.accepted() === before) await new Promise((r) => setTimeout(r, 20));
      child.signal("SIGINT");
      const row = {
        what: `interrupted: ${args.join(" ")}`,
        code: 130,
        ...(kind === undefined ? {} : { kind }),
        check: (doc: unknown) => {
          if (kind === undefined) {
            assertEquals((doc as { interrupted?: boolean }).interrupted, true);
          }
        },
        doc: "| interrupted (Ctrl-C, SIGTERM) | 130 |",
      };
      documented(row);
      checkRun(row, await child.run());
    }

    // vc serve, stopped by SIGTERM once it listens: drained, exit 0.
    const tokens = join(dir, "tokens.json");
    ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add-token");
    const serve = started(dir, childEnv(dir), [
      "serve",
      "--store",
      bucket,
      "--token-file",
      tokens,
      "--port",
      "0",
      "--json",
    ]);
    for (let i = 0; i < 1500 && !serve.stdout.text.includes("}"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    serve.signal("SIGTERM");
    const row = {
      what: "serve stopped by SIGTERM",
      code: 0,
      check: (doc: unknown) => assert(typeof (doc as { url?: unknown }).url === "string"),
      doc:
        "Only `vc serve` and `vc mirror --watch`, which run until stopped, exit 0 at Ctrl-C or " +
        "SIGTERM once the work in flight has drained",
    };
    documented(row);
    checkRun(row, await serve.run());
  });
});
