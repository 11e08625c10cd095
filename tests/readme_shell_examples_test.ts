/**
 * The README's `vc` shell examples, as a newcomer runs them: every `vc CMD`
 * they show is a command, every `--flag` one that command takes (the reverse
 * of `readme_flags_test.ts`, which finds each flag in the README), and the
 * blocks of the asset cache, versioned assets, prefill, repository, mirror
 * and cache service sections run line by line, in order, against the fake S3 (their buckets
 * as named) and a workspace directory, each line exiting 0, with the output
 * a comment of the line shows. A renamed flag or a changed default would
 * otherwise leave an example that fails only in the reader's shell.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { GLOBAL_OPTIONS } from "../src/cli/options.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { serveCache, TokenFileAuth } from "../src/server/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { commandAvailable } from "./command_available.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";

/**
 * What the README quotes as not a vc command: a wrong order it says is
 * refused, baiji-pod's command vc has no counterpart of, and the mistyped or
 * other tools' subcommands it shows vc's guess for.
 */
const NOT_COMMANDS = new Set([
  "vc repo help publish",
  "vc open",
  "vc ad --json",
  "vc repo rm",
  "vc repo rm 5",
  "vc repo chek",
  "vc repo verify",
  "vc repo list",
  "vc repo info ID",
  "vc version",
]);

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = await Deno.readTextFile(join(ROOT, "README.md"));

/** Every ```sh block of the README. */
const SH_BLOCKS = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The one sh block that holds `marker`. */
function block(marker: string): string[] {
  const found = SH_BLOCKS.filter((b) => b.includes(marker));
  assertEquals(found.length, 1, `one README sh block holds ${marker}`);
  return found[0]!.split("\n").filter((line) => line.trim() !== "");
}

/** One command line of a block: what runs (before its comment), and the comment. */
function split(line: string): { code: string; comment: string } {
  const at = line.search(/(^|\s)#\s/);
  return at < 0
    ? { code: line.trim(), comment: "" }
    : { code: line.slice(0, at).trim(), comment: line.slice(at).replace(/^\s*#\s*/, "").trim() };
}

Deno.test("README: every vc command its shell examples and code spans show exists, with its flags", async () => {
  const names = COMMANDS.map((c) => c.name).sort((a, b) => b.length - a.length);
  const options = new Map<string, Set<string>>();
  for (const entry of COMMANDS) {
    options.set(entry.name, new Set(Object.keys((await entry.load()).options)));
  }
  const lines = [
    ...SH_BLOCKS.flatMap((b) => b.split("\n")),
    // Code spans of the prose, as `vc repo claim --ttl 5m`.
    ...[...README.replace(/```[\s\S]*?```/g, "").matchAll(/`(vc [^`]+)`/g)].map((m) =>
      m[1]!.replace(/\s+/g, " ")
    ),
  ];
  const wrong: string[] = [];
  for (const line of lines) {
    for (const part of split(line).code.split(/&&|\||;|\$\(/)) {
      const words = part.trim().match(/^vc ([a-z][\w-]*(?: [a-z][\w-]*)?)(.*)$/);
      if (words === null || words[1]!.startsWith("help") || NOT_COMMANDS.has(part.trim())) continue;
      const name = names.find((n) => words[1] === n || words[1]!.startsWith(`${n} `));
      if (name === undefined) {
        // `vc repo` alone names a group, as `vc repo --help` shows it.
        if (!names.some((n) => n.startsWith(`${words[1]} `))) {
          wrong.push(`${part.trim()}: no such command`);
        }
        continue;
      }
      const rest = `${words[1]!.slice(name.length)} ${words[2]}`;
      for (const flag of rest.matchAll(/(?:^|\s)--([a-z][\w-]*)/g)) {
        const known = options.get(name)!.has(flag[1]!) || flag[1]! in GLOBAL_OPTIONS ||
          flag[1] === "version";
        if (!known) wrong.push(`${part.trim()}: vc ${name} has no --${flag[1]}`);
      }
    }
  }
  assertEquals(wrong, []);
});

/** A shell's state for a block's lines: exported variables and assigned ones. */
interface Shell {
  env: Record<string, string>;
  vars: Record<string, string>;
}

/** Splits a command into words as a shell does for these examples (quotes, `$x`, `~/`). */
function words(code: string, shell: Shell, home: string): string[] {
  const expand = (s: string) =>
    s.replace(/\$(\w+)/g, (_, v: string) => shell.vars[v] ?? shell.env[v] ?? "");
  return [...code.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined
      ? expand(m[1])
      : m[2] !== undefined
      ? m[2]
      : expand(m[3]!.replace(/^~\//, `${home}/`))
  );
}

/**
 * Runs a block's lines in `ws`, as a shell would (`export`, `x=$(vc …)`,
 * `a && b`, `| head`), each `vc` in-process; `rewrite` makes a line's
 * machine paths (`/srv/…`) the workspace's. Returns each command's stdout
 * with the line's comment.
 */
async function runBlock(
  ws: CliWorkspace,
  lines: string[],
  env: Record<string, string>,
  rewrite: (code: string) => string = (c) => c,
): Promise<{ code: string; stdout: string; comment: string }[]> {
  const shell: Shell = { env: { ...env }, vars: {} };
  const ran: { code: string; stdout: string; comment: string }[] = [];
  for (const line of lines) {
    const { code: written, comment } = split(line);
    if (written === "") continue;
    const code = rewrite(written);
    if (code.startsWith("export ")) {
      for (
        const [name, value] of words(code.slice("export ".length), shell, ws.env.HOME!)
          .map((w) => w.split("="))
      ) {
        shell.env[name!] = value!;
      }
      continue;
    }
    for (const command of code.split("&&").map((c) => c.trim())) {
      const assign = command.match(/^(\w+)=\$\((.*)\)$/);
      const vc = (assign?.[2] ?? command).replace(/\s*\|\s*head$/, "");
      const argv = words(vc, shell, ws.env.HOME!);
      assertEquals(argv[0], "vc", `a README example line runs vc: ${line}`);
      const result = await ws.run(argv.slice(1), shell.env);
      assertEquals(result.code, 0, `${line}\n${result.stderr}`);
      if (assign) shell.vars[assign[1]!] = result.stdout.trim();
      ran.push({ code: written, stdout: result.stdout, comment });
    }
  }
  return ran;
}

Deno.test("README: the asset cache, versioned assets and prefill examples run as written", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-bucket", "my-assets"] });
  await s3.putObject("my-bucket", "tables/cities.csv", "city,country\n");
  await s3.putObject("my-bucket", "w.bin", "weights");
  await using ws = await CliWorkspace.create();
  await Deno.mkdir(join(ws.env.HOME!, "Desktop"));
  await Deno.writeTextFile(join(ws.env.HOME!, "Desktop", "bar.csv"), "a,b\n1,2\n");
  await ws.write("bar.csv", "a,b\n1,3\n");
  // The SDK's credential chain reads the process's environment.
  await withProcessEnv(s3.env, async () => {
    await runBlock(ws, block("vc cache get s3://my-bucket/tables/cities.csv"), s3.env);

    const versioned = await runBlock(ws, block("vc add /foo/bar.csv"), s3.env);
    for (const { code, stdout, comment } of versioned) {
      // A comment that is a URI is the line's output.
      if (comment.startsWith("s3://")) assertEquals(stdout.trim(), comment, code);
    }
    assertEquals(JSON.parse(await ws.read("versioned_assets.json")), { "/foo/bar.csv": "1.0.1" });

    // The prefill lines' inputs, named in them.
    await ws.write("a.json", await ws.read("versioned_assets.json"));
    await ws.write("b.json", JSON.stringify({ "/foo/bar.csv": "1.0.0" }));
    await ws.write("ci/extra_assets.txt", "s3://my-bucket/w.bin\n");
    const prefill = await runBlock(ws, block("vc prefill --json"), {
      ...s3.env,
      VC_BUCKET: "my-assets",
    });
    const report = JSON.parse(prefill.at(-1)!.stdout) as { failed: unknown[] };
    assertEquals(report.failed, []);
  });
});

Deno.test("README: the repository (SQLite) example runs as written", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("today.csv", "x,y\n");
  const repo = pathToFileURL(ws.path("srv/repo")).href;
  const ran = await runBlock(
    ws,
    block("--date-tag day"),
    {},
    (code) => code.replaceAll("file:///srv/repo", repo),
  );
  const current = ran.find((r) => r.code.startsWith("vc repo current"))!;
  assertEquals((JSON.parse(current.stdout) as { state: string }).state, "published");
  assertEquals(await ws.read("copy.csv"), "x,y\n");
});

Deno.test("README: the mirror example runs as written (but --watch)", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-bucket"] });
  await s3.putObject("my-bucket", "data/gone.csv", "old");
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.csv", "a\n");
  const backup = pathToFileURL(ws.path("srv/backup/data")).href;
  const lines = block("vc mirror ./data s3://my-bucket/data --delete --dry-run")
    .filter((line) => !line.includes("--watch"));
  assert(lines.length > 4);
  await withProcessEnv(s3.env, async () => {
    await runBlock(ws, lines, s3.env, (code) => code.replaceAll("file:///srv/backup/data", backup));
  });
  assertEquals(s3.listKeys("my-bucket", "data/"), ["data/a.csv"]);
  assertEquals(await Deno.readTextFile(ws.path("srv/backup/data/a.csv")), "a\n");
});

Deno.test("README: the mirror section's --exclude leaves out the records of a directory vc sync filled", async () => {
  const section = README.slice(README.indexOf("\n## Mirror ("));
  const pattern = section.match(/`vc sync` fills[\s\S]*?`--exclude '([^']+)'`/)?.[1];
  assert(pattern !== undefined, "the mirror section says how to leave a sync's records out");
  await using s3 = await startFakeS3({ buckets: ["my-bucket", "my-assets"] });
  await s3.putObject("my-assets", "foo/bar.1.0.0.csv", "a,b\n");
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", JSON.stringify({ "/foo/bar.csv": "1.0.0" }));
  const env = { ...s3.env, VC_BUCKET: "my-assets" };
  await withProcessEnv(s3.env, async () => {
    const synced = await ws.run(["sync", "./data"], env);
    assertEquals(synced.code, 0, synced.stderr);
    const mirrored = await ws.run(
      ["mirror", "./data", "s3://my-bucket/data", "--exclude", pattern],
      env,
    );
    assertEquals(mirrored.code, 0, mirrored.stderr);
  });
  assertEquals(s3.listKeys("my-bucket", "data/"), ["data/foo/bar.csv"]);
});

/** A block's lines with each `\` continuation joined to the line it continues, as a shell reads them. */
function joinContinued(lines: string[]): string[] {
  const out: string[] = [];
  let open = "";
  for (const line of lines) {
    const text = open === "" ? line : `${open} ${line.trim()}`;
    if (/\s\\$/.test(text)) open = text.replace(/\s*\\$/, "");
    else {
      out.push(text);
      open = "";
    }
  }
  assertEquals(open, "", "a block's last line continues nothing");
  return out;
}

Deno.test("README: the mirror section's OS and editor junk patterns run as written and leave the junk out, deleting none", async () => {
  const lines = joinContinued(block("vc mirror ./photos s3://my-bucket/photos --delete"));
  assertEquals(lines.length, 1, lines.join("\n"));
  await using s3 = await startFakeS3({ buckets: ["my-bucket"] });
  // Junk already in the store stays, under --delete too, as the section says.
  await s3.putObject("my-bucket", "photos/.DS_Store", "old junk");
  await using ws = await CliWorkspace.create();
  const kept = ["a.jpg", "sub/b.jpg", "notes~x.txt", "Thumbs.db.jpg"];
  const junk = [
    ".DS_Store",
    "sub/.DS_Store",
    "sub/._a.jpg",
    "Thumbs.db",
    "sub/thumbs.DB",
    "Desktop.ini",
    ".a.txt.swp",
    "b.txt~",
    "~$report.docx",
    "film.crdownload",
    "sub/c.part",
    "d.partial",
  ];
  for (const file of [...kept, ...junk]) await ws.write(`photos/${file}`, file);
  await withProcessEnv(s3.env, async () => {
    await runBlock(ws, lines, s3.env);
  });
  assertEquals(
    s3.listKeys("my-bucket", "photos/").sort(),
    [".DS_Store", ...kept].map((f) => `photos/${f}`).sort(),
  );
});

// The block pipes the aws CLI's listing into `vc prefill --list -`: run by
// bash as written (pipefail, so a failed listing fails it), `vc` being
// cli.ts with the binary's permissions.
Deno.test({
  name:
    "README: the prefill section's aws s3api listing piped to vc prefill --list - runs as written" +
    (commandAvailable("aws") && commandAvailable("bash")
      ? ""
      : " (ignored: needs the aws CLI and bash)"),
  ignore: !commandAvailable("aws") || !commandAvailable("bash"),
  fn: async () => {
    const lines = joinContinued(block("vc prefill --list -"));
    assertEquals(lines.length, 1, lines.join("\n"));
    await using s3 = await startFakeS3({ buckets: ["my-bucket"] });
    // A key with a space: the reason the README lists with s3api, not `aws s3 ls`.
    for (const key of ["models/a b.bin", "models/c.bin", "other/d.bin"]) {
      await s3.putObject("my-bucket", key, key);
    }
    await using ws = await CliWorkspace.create();
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const vc = `vc() { "${Deno.execPath()}" run ${
      PERMISSION_FLAGS.map((f) => `'${f}'`).join(" ")
    } "${cli}" "$@"; }`;
    const run = async (script: string) =>
      await new Deno.Command("bash", {
        args: ["-o", "pipefail", "-c", `${vc}\n${script}`],
        cwd: ws.dir,
        env: { ...ws.env, ...s3.env, AWS_EC2_METADATA_DISABLED: "true", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const out = await run(lines[0]!);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assert(
      /^prefill: 2 items: 2 fetched/m.test(stderr + new TextDecoder().decode(out.stdout)),
      stderr,
    );
    // An empty prefix fails the run (exit 1), as the text after the block says.
    const empty = await run(lines[0]!.replace("--prefix models/", "--prefix none/"));
    assertEquals(out.code === 0 && empty.code, 1, new TextDecoder().decode(empty.stderr));
    assert(new TextDecoder().decode(empty.stderr).includes("<stdin> lists no items"));
  },
});

Deno.test("README: the cache service's add-token and cache-client examples run as written", async () => {
  await using ws = await CliWorkspace.create();
  await Deno.mkdir(ws.path("etc/vc"), { recursive: true });
  const etc = (code: string) => code.replaceAll("/etc/vc/", `${ws.path("etc/vc")}/`);
  // `vc serve` itself runs until stopped: it is served here from the same
  // token file (its flags are checked by the first test of this file).
  const run = block("vc serve add-token alice");
  const added = await runBlock(ws, run.filter((l) => l.startsWith("vc serve add-token")), {}, etc);
  const token = added[0]!.stdout.trim();
  assert(/^[0-9a-f]{64}$/.test(token), `add-token prints the token: ${added[0]!.stdout}`);
  await using service = await serveCache({
    store: new FsStore(ws.path("srv/vc-cache")),
    auth: new TokenFileAuth({ path: ws.path("etc/vc/tokens.json") }),
    port: 0,
    log: () => {},
    sweepIntervalMs: 0,
  });
  await ws.write("result.tsv", "a\tb\n");
  // The line reading a pipe's output is run by cache_client_put_stdin_test.
  const lines = block("vc cache-client id").filter((l) => !l.includes("make-report |"));
  const ran = await runBlock(
    ws,
    lines,
    {},
    (code) =>
      code.replace("http://127.0.0.1:8080", service.url).replace(
        "VC_CACHE_TOKEN=...",
        `VC_CACHE_TOKEN=${token}`,
      ),
  );
  assertEquals(ran.map((r) => r.code.split(" ").slice(0, 3).join(" ")), [
    "ID=$(vc cache-client id",
    "vc cache-client put",
    "vc cache-client get",
    "vc cache-client rm",
  ]);
  assertEquals(await ws.read("copy.tsv"), "a\tb\n");
  // "exit 1 when not cached", as the get line's comment says: it was removed.
  const env = { VC_CACHE_URL: service.url, VC_CACHE_TOKEN: token };
  const id = (await ws.run(["cache-client", "id", '{"tool": "align", "k": 31}'], env)).stdout
    .trim();
  assertEquals((await ws.run(["cache-client", "get", id, "again.tsv"], env)).code, 1);

  // The curl example's answer, and the log fields the section quotes, as the
  // service writes them: compact JSON (`"event": "sweep"` matched no log line).
  const curl = SH_BLOCKS.find((b) => b.includes("/v1/cache_id"))!;
  const shown = curl.split("\n").filter((l) => /^#(?: →|\s{3})/.test(l))
    .map((l) => l.replace(/^#\s*(?:→\s*)?/, "")).join("");
  const answer = await (await fetch(`${service.url}/v1/cache_id`, {
    method: "POST",
    headers: { Authorization: token, "Content-Type": "application/json" },
    body: '{"tool": "align", "genome": "GCF_000005845.2", "k": 31}',
  })).text();
  const shape = (json: string) =>
    json.replace(/"cache_id":"[^"]*"/, '"cache_id":ID').replace(
      /"expiration":"\d+"/,
      '"expiration":T',
    );
  assertEquals(shape(shown), shape(answer));
  const section = README.slice(
    README.indexOf("\n## Cache service"),
    README.indexOf("\n## Mirror ("),
  );
  const spaced = [...section.matchAll(/`("[a-z_]+": [^`]*)`/g)].map((m) => m[1]);
  assertEquals(spaced, []);
});

Deno.test("README: the fake S3 try-it block shows the stats it gives, and names the buckets the later examples use", async () => {
  const lines = block("deno task fake-s3 --port 9000");
  await using s3 = await startFakeS3({ buckets: ["assets"], controlEndpoints: true });
  await using ws = await CliWorkspace.create();
  const url = (code: string) => code.replaceAll("http://127.0.0.1:9000", s3.url);
  let stats: Record<string, unknown> | undefined;
  let shown = "";
  await withProcessEnv(s3.env, async () => {
    for (const line of lines) {
      const { code, comment } = split(line);
      const put = code.match(
        /^curl (?:--retry \d+ --retry-connrefused )?-X PUT --data-binary @(\S+) (\S+)$/,
      );
      const task = code.match(/^deno task vc (.*)$/);
      if (put) {
        const body = await Deno.readFile(join(ROOT, put[1]!));
        const answer = await fetch(url(put[2]!), { method: "PUT", body });
        await answer.body?.cancel();
        assertEquals(answer.status, 200, line);
      } else if (task) {
        const result = await ws.run(task[1]!.split(" "), s3.env);
        assertEquals(result.code, 0, `${line}\n${result.stderr}`);
      } else if (code.startsWith("curl http")) {
        stats = await (await fetch(url(code.slice("curl ".length)))).json();
        shown = comment;
      }
    }
  });
  // `{"total":2,...,"PutObject":1,"GetObject":1,...}`: each count shown is the server's.
  const counts = [...shown.matchAll(/"(\w+)":(\d+)/g)];
  assert(counts.length >= 3, shown);
  for (const [, name, n] of counts) assertEquals(stats?.[name!], Number(n), `${name} in ${shown}`);

  // The note after the block names every bucket the shell examples below it
  // use (their `s3://BUCKET/…` and `VC_BUCKET`), and the TypeScript ones
  // after it (their `s3://BUCKET/…`), to start the server with.
  const after = README.slice(README.indexOf(lines.at(-1)!));
  const note = after.slice(
    after.indexOf("```\n") + 4,
    after.indexOf("\n\n", after.indexOf("```\n") + 5),
  );
  const started = new Set([...note.matchAll(/--bucket ([\w-]+)/g)].map((m) => m[1]!));
  const used = new Set<string>();
  for (
    const marker of [
      "vc cache get s3://my-bucket/tables",
      "vc add /foo/bar.csv",
      "vc mirror ./data s3://",
      "vc repo claim --tag todo",
      "--auth-url https://kbase.us",
    ]
  ) {
    const text = block(marker).join("\n");
    for (const m of text.matchAll(/s3:\/\/([\w-]+)\//g)) used.add(m[1]!);
    for (const m of text.matchAll(/VC_BUCKET=([\w-]+)/g)) used.add(m[1]!);
  }
  for (const ts of after.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const m of ts[1]!.matchAll(/"s3:\/\/([\w-]+)\//g)) used.add(m[1]!);
  }
  assert(used.has("my-assets") && used.has("my-bucket"), [...used].join());
  assertEquals([...used].filter((b) => !started.has(b)), [], note);
});
