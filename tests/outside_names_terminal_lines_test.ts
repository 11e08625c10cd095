/**
 * Every line vc writes names keys, paths, URIs and a store's own error
 * text, which come from outside: the one battery of hostile names
 * (`tests/hostile_names.ts`) is swept over the library's errors (their
 * `message`, `stack` and what `console.error(e)` shows, causes included),
 * the library's default stderr lines, and an uncaught error of a script.
 * Each shows them escaped (`printable`); the exact text stays in the
 * error's `rawMessage`, and JSON stays exact.
 *
 * Found by it: the CLI escaped every line it printed, but the library's
 * errors carried keys and an S3 error's Code and Message raw, so a script's
 * `console.error(err.message)` (or an uncaught error) wrote a key's
 * `ESC ] 0 ; … BEL` to the terminal; the catalogs' "waiting for …" lines
 * and `vc serve`'s notes about a callback that threw went to stderr as
 * they were; the Caused-by lines of a server's malformed HTTP answer kept
 * its C1 and bidirectional controls.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { HOSTILE_NAMES, label, rawControl } from "./hostile_names.ts";
import { AssetCache, openStore, StoreError, VcError, VersionedCache } from "../mod.ts";
import { MemoryStore } from "../src/store/mod.ts";
import { walkFiles } from "../src/walk.ts";
import { lineOnStderr, sayOnStderr, warnLineOnStderr, warnOnStderr } from "../src/warning_line.ts";

const root = new URL("..", import.meta.url).pathname;

// The names, and one with every kind of trouble at once.
const NAMES = [...HOSTILE_NAMES, "a\x1b]0;PWNED\x07\x1b[2J\u202egnp\u2028\x9b31m.csv"];

/** Whether `text` holds `name` as it is (whole, or JSON-quoted as `quoted()` shows it). */
function holdsRaw(text: string, name: string): boolean {
  return text.includes(name) || text.includes(JSON.stringify(name).slice(1, -1));
}

/** Problems of an error naming `name`: raw controls where printed, the name lost where exact. */
function errorProblems(what: string, name: string, error: unknown): string[] {
  if (!(error instanceof VcError)) return [`${what} ${label(name)}: not a VcError: ${error}`];
  const problems: string[] = [];
  for (
    const [part, text] of [
      ["message", error.message],
      ["stack", error.stack ?? ""],
      ["console.error(e)", Deno.inspect(error)],
    ]
  ) {
    const raw = rawControl(text!);
    if (raw !== undefined) problems.push(`${what} ${label(name)}: ${part}: raw control ${raw}`);
  }
  // A name short enough to be quoted whole, with something to escape.
  if (name.length < 200 && name.isWellFormed() && rawControl(name) !== undefined) {
    if (!holdsRaw(error.rawMessage, name)) {
      problems.push(`${what} ${label(name)}: rawMessage lost it: ${error.rawMessage}`);
    }
  }
  return problems;
}

async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return new Error("did not reject");
}

/** XML text of `s` (the fake server's error answer). */
function xmlText(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

Deno.test("library errors: a name from outside prints escaped, and stays exact in rawMessage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "outside_names_errors_" });
  await using store = new MemoryStore();
  const openMemory = () => Promise.resolve(store);
  const cache = new AssetCache({
    cacheDir: join(dir, "cache"),
    configPath: false,
    openStore: openMemory,
  });
  const versioned = new VersionedCache({
    manifest: join(dir, "m.json"),
    bucket: "s3://bkt",
    openStore: openMemory,
    cache,
  });
  // A store whose every answer is an S3 error whose Code and Message echo the key.
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    let key = new URL(req.url).pathname.replace(/^\/bkt\//, "");
    try {
      key = decodeURIComponent(key);
    } catch {
      // as sent
    }
    const body = `<?xml version="1.0"?><Error><Code>Bad${xmlText(key)}</Code>` +
      `<Message>no ${xmlText(key)} here</Message><RequestId>r</RequestId></Error>`;
    return new Response(body, { status: 500, headers: { "content-type": "application/xml" } });
  });
  await using s3 = await openStore("s3://bkt", {
    s3: {
      endpoint: `http://127.0.0.1:${server.addr.port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    },
  });
  const problems: string[] = [];
  let answered = 0;
  try {
    await Deno.writeTextFile(join(dir, "m.json"), "{}");
    for (const name of NAMES) {
      const uri = `s3://bkt/${name}`;
      problems.push(...errorProblems("cache", name, await rejection(() => cache.cache(uri))));
      const path = name.startsWith("/") ? name : `/${name}`;
      problems.push(
        ...errorProblems("VersionedCache.path", path, await rejection(() => versioned.path(path))),
      );
      if (name.isWellFormed() && !name.includes("\0")) {
        // The store's error (or vc's refusal of a key no store reads, `..`).
        const failed = await rejection(() => s3.get(name));
        problems.push(...errorProblems("S3 error text", name, failed));
        if (failed instanceof StoreError) answered++;
      }
    }
  } finally {
    await versioned.close();
    await cache.close();
    await Deno.remove(dir, { recursive: true });
  }
  assertEquals(problems, []);
  assert(answered > NAMES.length / 2, `${answered} S3 error answers`);
});

Deno.test("library default stderr lines show outside names escaped", () => {
  const said: string[] = [];
  const { error, warn } = console;
  console.error = console.warn = (...args: unknown[]) => said.push(args.map(String).join(" "));
  try {
    for (const name of NAMES) {
      warnOnStderr(`skipped ${name}`);
      warnLineOnStderr(`vc: serving the cached copy of s3://b/${name}`);
      sayOnStderr(`waiting for the SQLite catalog /srv/${name}`); // the catalogs' default
      lineOnStderr(`vc serve: the onExpired callback threw: ${name}`); // the service's
    }
  } finally {
    Object.assign(console, { error, warn });
  }
  assertEquals(said.length, NAMES.length * 4);
  assertEquals(said.map(rawControl).filter((r) => r !== undefined), []);
});

Deno.test("a catalog's waiting line stays one line when the name it quotes holds a line break", () => {
  const said: string[] = [];
  const { error } = console;
  console.error = (...args: unknown[]) => said.push(args.map(String).join(" "));
  try {
    sayOnStderr("waiting for the SQLite catalog /srv/a\nvc: all clear\r\n.db");
  } finally {
    console.error = error;
  }
  assertEquals(said, ["vc: waiting for the SQLite catalog /srv/a\\nvc: all clear\\r\\n.db"]);
});

Deno.test("library code writes to stderr only through the one escaping helper", async () => {
  // Where a line reaches stderr other than through src/warning_line.ts, and why it is inert.
  const allowed: Record<string, string> = {
    "warning_line.ts": "the helper itself",
    "progress.ts": "a progress bar: its labels go through printable()",
    "server/log.ts": "vc serve's JSON log lines: inertJson()",
    "server/serve.ts": "vc serve's default log sink, of those JSON lines",
  };
  const found: string[] = [];
  for await (const entry of walkFiles(join(root, "src"))) {
    if (!entry.key.endsWith(".ts") || /^(cli|testing)\//.test(entry.key)) continue;
    if (allowed[entry.key] !== undefined) continue;
    const text = await Deno.readTextFile(entry.path);
    // Code, not the doc examples that stub console.warn.
    const code = text.split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
    if (/console\.(error|warn|log|info)\(|Deno\.stderr\.write/.test(code)) found.push(entry.key);
  }
  assertEquals(found, []);
});

Deno.test("an uncaught error of a script names an S3 key and the store's error text escaped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "outside_names_uncaught_" });
  const name = NAMES.at(-1)!;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(
        `<?xml version="1.0"?><Error><Code>Bad${name}</Code><Message>${name}</Message></Error>`,
        { status: 500, headers: { "content-type": "application/xml" } },
      ),
  );
  try {
    await Deno.writeTextFile(join(dir, "config.json"), "{}");
    const script = join(dir, "script.ts");
    await Deno.writeTextFile(
      script,
      `import { cache } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};\n` +
        `try { await cache(${JSON.stringify(`s3://bkt/${name}`)}); } catch (e) {\n` +
        `  console.error((e as Error).message);\n  console.error(e);\n}\n` +
        `await cache(${JSON.stringify(`s3://bkt/${name}`)});\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-lock", script],
      env: {
        NO_COLOR: "1",
        VC_CACHE_DIR: join(dir, "cache"),
        AWS_ENDPOINT_URL: `http://127.0.0.1:${server.addr.port}`,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        AWS_MAX_ATTEMPTS: "1",
        VC_CONFIG: join(dir, "config.json"),
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assert(stderr.includes("Uncaught"), stderr);
    assert(stderr.includes("PWNED\\x07\\x1b[2J\\u202egnp\\u2028\\x9b31m"), stderr);
    assertEquals(rawControl(stderr), undefined, stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
