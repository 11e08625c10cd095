/**
 * The README as a newcomer reads it, top down, pasting its blocks into a
 * shell: its first screen leads to each capability's example, each section
 * shows its example before its reference detail, the fake S3 try-it block
 * works when pasted whole (the first `curl` runs before the server listens),
 * the files the versioned example publishes are made by a line given
 * before it, and the cache service's curl block makes the file it uploads
 * and shows the cache ID its request gives.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { serveCache, TokenFileAuth } from "../src/server/mod.ts";
import { cacheId } from "../src/server/cache_id.ts";
import { parsePyJson } from "../src/server/python_json.ts";
import { FsStore } from "../src/store/fs.ts";
import { childEnv } from "./cli_process.ts";
import { commandAvailable } from "./command_available.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const README = await Deno.readTextFile(join(ROOT, "README.md"));

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

/** Every heading's anchor, outside code blocks, a repeated one suffixed `-1`, `-2`… as GitHub does. */
function anchors(): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of README.replace(/```[\s\S]*?```/g, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The capability sections, as the README names them. */
const CAPABILITIES = [
  "## Asset cache",
  "## Versioned cache",
  "## Prefill (CI)",
  "## Mirror (`vc mirror`)",
  "## Repository (`vc repo`)",
  "## Cache service (`vc serve`)",
];

Deno.test("README: its first screen links to each capability's section and the reference ones, and every #link names a heading", () => {
  const top = README.slice(0, README.indexOf("\n## Two commands on a fresh machine"));
  assert(top.split("\n").length < 40, "the links are on the first screen");
  const linked = new Set([...top.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!));
  const wanted = [...CAPABILITIES, "## Configuration", "## Stores", "## Dependencies"].map((h) =>
    slug(h.slice(3))
  );
  assertEquals(wanted.filter((a) => !linked.has(a)), [], "links of the first screen");
  const known = anchors();
  const broken = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!)
    .filter((a) => !known.has(a));
  assertEquals(broken, [], "#links that name no heading");
});

Deno.test("README: each capability section shows its first example before its reference detail", () => {
  const lines = README.split("\n");
  const far: string[] = [];
  for (const heading of CAPABILITIES) {
    const at = lines.indexOf(heading);
    assert(at >= 0, heading);
    const example = lines.findIndex((l, i) => i > at && /^```(sh|ts)$/.test(l));
    // A screen: the heading, a few sentences of what it is, the block.
    if (example - at > 30) far.push(`${heading}: first example ${example - at} lines down`);
  }
  assertEquals(far, []);
});

/** The one sh block that holds `marker`, as lines. */
function block(marker: string): string[] {
  const found = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
    .filter((b) => b.includes(marker));
  assertEquals(found.length, 1, `one README sh block holds ${marker}`);
  return found[0]!.split("\n").filter((l) => l.trim() !== "");
}

const shell = commandAvailable("bash") && commandAvailable("curl");

Deno.test({
  name:
    `README: the fake S3 try-it block, pasted whole, stores the object (its curl waits for the server)${
      shell ? "" : " (ignored: needs bash and curl)"
    }`,
  ignore: !shell,
  fn: async () => {
    const lines = block("deno task fake-s3 --port 9000");
    const put = lines.find((l) => l.startsWith("curl ") && l.includes("-X PUT"));
    assert(put !== undefined, "the block uploads with curl");
    // A free port in place of 9000, which another program may hold here.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const url = `http://127.0.0.1:${port}`;
    // The server is started as the block's `&` line does, and the curl line
    // runs at once after it, as a pasted block's next line does.
    const server = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        join(ROOT, "scripts/fake_s3.ts"),
        "--port",
        String(port),
        "--bucket",
        "assets",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const curl = await new Deno.Command("bash", {
        args: ["-c", put.split(" #")[0]!.replaceAll("http://127.0.0.1:9000", url)],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(curl.code, 0, new TextDecoder().decode(curl.stderr));
      const got = await fetch(`${url}/assets/demo/m.json`);
      assertEquals(got.status, 200);
      assertEquals(await got.text(), await Deno.readTextFile(join(ROOT, "manifest.example.json")));
    } finally {
      server.kill();
      await server.status;
    }
  },
});

Deno.test({
  name: `README: the versioned example's files are made by the line given before it${
    shell ? "" : " (ignored: needs bash)"
  }`,
  ignore: !shell,
  fn: async () => {
    const lines = block("vc add /foo/bar.csv");
    const add = lines.find((l) => l.startsWith("vc add "))!;
    const update = lines.find((l) => l.startsWith("vc update "))!;
    const before = README.slice(0, README.indexOf(add));
    const intro = before.slice(before.lastIndexOf("\n## "));
    const setup = [...intro.matchAll(/`([^`]*printf[^`]*)`/g)].map((m) => m[1]!);
    assertEquals(setup.length, 1, "one setup line before the example");
    const home = await Deno.makeTempDir({ prefix: "vc_readme_setup_home_" });
    const cwd = await Deno.makeTempDir({ prefix: "vc_readme_setup_cwd_" });
    try {
      const out = await new Deno.Command("bash", {
        args: ["-c", setup[0]!],
        cwd,
        env: { HOME: home },
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      // The files the two lines publish, with different content (an update
      // of an identical file is refused).
      const first = add.split(/\s+/)[3]!.replace(/^~\//, `${home}/`);
      const second = join(cwd, update.split(/\s+/)[3]!);
      const a = await Deno.readTextFile(first);
      const b = await Deno.readTextFile(second);
      assert(a !== "" && b !== "" && a !== b, `${a} / ${b}`);
    } finally {
      await Deno.remove(home, { recursive: true });
      await Deno.remove(cwd, { recursive: true });
    }
  },
});

Deno.test({
  name:
    `README: the cache service's curl block, pasted with a token and the ID it printed, uploads a file it makes and downloads it${
      shell ? "" : " (ignored: needs bash and curl)"
    }`,
  ignore: !shell,
  fn: async () => {
    const lines = block("/v1/cache_id");
    const dir = await Deno.makeTempDir({ prefix: "vc_readme_curl_block_" });
    try {
      const hex = (bytes: ArrayBuffer) =>
        [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
      const token = hex(crypto.getRandomValues(new Uint8Array(32)).buffer);
      const hash = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
      const tokens = join(dir, "tokens.json");
      await Deno.writeTextFile(tokens, JSON.stringify({ [hash]: "alice" }));
      await Deno.mkdir(join(dir, "store"));
      await using service = await serveCache({
        store: new FsStore(join(dir, "store")),
        auth: new TokenFileAuth({ path: tokens }),
        port: 0,
        log: () => {},
        sweepIntervalMs: 0,
      });
      // The ID the block's first curl prints, which a reader copies into its `ID=` line.
      const params = lines.join("\n").match(/-d '([^']*)'/)![1]!;
      const answer = await fetch(`${service.url}/v1/cache_id`, {
        method: "POST",
        headers: { Authorization: token, "Content-Type": "application/json" },
        body: params,
      });
      const id = (await answer.json() as { cache_id: string }).cache_id;
      const script = lines.map((l) =>
        l.replace(/^URL=\S+;/, `URL=${service.url};`).replace(/TOKEN=\.\.\./, `TOKEN=${token}`)
          .replace(/^ID=\S+/, `ID=${id}`)
      ).join("\n");
      const work = join(dir, "work");
      await Deno.mkdir(work);
      const run = await new Deno.Command("bash", {
        args: ["-e", "-c", script],
        cwd: work,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
      assertEquals(run.code, 0, said);
      const uploaded = lines.join("\n").match(/-F file=@(\S+)/)![1]!;
      const downloaded = lines.join("\n").match(/ -o (\S+)/)![1]!;
      assert(uploaded !== downloaded, "the download does not overwrite the file it uploaded");
      const made = await Deno.readTextFile(join(work, uploaded));
      assert(made !== "", "the block makes the file it uploads");
      assertEquals(await Deno.readTextFile(join(work, downloaded)), made);
      assert(!said.includes('"status":"error"'), said);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("README: baiji-pod, named on its first screen, is linked and said what it is where first named", () => {
  const at = README.indexOf("baiji-pod");
  assert(at >= 0);
  const first = README.slice(at - 1, README.indexOf("\n\n", at));
  assert(first.startsWith("[baiji-pod](https://github.com/"), first);
  assert(/Python/.test(first), `says what it is: ${first}`);
});

Deno.test("README: a project's prefill task without the binary, from a checkout, runs vc prefill in the project's directory, quietly", async () => {
  const task = README.match(
    /`"prefill": "(deno task (?:-q )?--config path\/to\/vc\/deno\.json [^"`]*)"`/,
  );
  assert(task !== null, "the README gives a project's prefill task for a checkout");
  const dir = await Deno.makeTempDir({ prefix: "vc_readme_project_prefill_" });
  try {
    const project = join(dir, "project");
    await Deno.mkdir(join(dir, "bucket", "demo"), { recursive: true });
    await Deno.writeTextFile(join(dir, "bucket", "demo", "greeting.1.0.0.txt"), "hello\n");
    await Deno.mkdir(project);
    await Deno.writeTextFile(
      join(project, "deno.json"),
      JSON.stringify({ tasks: { prefill: task[1]!.replace("path/to/vc/", `${ROOT}/`) } }),
    );
    await Deno.writeTextFile(
      join(project, "versioned_assets.json"),
      JSON.stringify({ "/demo/greeting.txt": "1.0.0" }),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "prefill"],
      cwd: project,
      clearEnv: true,
      env: childEnv(dir, { PATH: Deno.env.get("PATH") ?? "", VC_BUCKET: join(dir, "bucket") }),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, said);
    assert(said.includes("1 fetched"), said);
    // The checkout's task line (its whole permission list, ~400 characters)
    // is not echoed into the project's log: only the project's own task line.
    assert(!said.includes("VC_CHECKOUT"), said);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: the fake S3 try-it block says it runs in the checkout, where its task and file are", async () => {
  const lines = block("deno task fake-s3 --port 9000");
  const before = README.slice(0, README.indexOf(lines[0]!));
  // The paragraph above the block's fence.
  const fence = before.lastIndexOf("\n\n```");
  const intro = before.slice(before.lastIndexOf("\n\n", fence - 1), fence);
  assert(intro.includes("in the checkout"), intro);
  const file = lines.join("\n").match(/--data-binary @(\S+)/)![1]!;
  await Deno.stat(join(ROOT, file));
  const tasks = (JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
    tasks: Record<string, string>;
  }).tasks;
  assert(tasks["fake-s3"] !== undefined);
});

Deno.test("README: the cache service's curl block shows the cache ID its parameters give alice", () => {
  // IDs are a hash of the identity and the parameters, so a reader pasting
  // the block gets exactly this one: the block showed the KBase test
  // vector's `4b57…08`, which no request of the block gives.
  const text = block("/v1/cache_id").join("\n");
  const params = text.match(/-d '([^']*)'/)![1]!;
  const identity = text.match(/"token_id":"([^"]+)"/)![1]!;
  assertEquals(identity, "token-file:alice", "the identity add-token alice gives");
  const id = cacheId(identity, parsePyJson(params));
  const elided = `${id.slice(0, 4)}…${id.slice(-2)}`;
  const shown = [...text.matchAll(/([0-9a-f]{4}…[0-9a-f]{2})/g)].map((m) => m[1]!);
  assert(shown.length >= 2, "the block shows the ID it printed and the line pasting it");
  assertEquals(shown.filter((s) => s !== elided), [], `the ID is ${elided}`);
});

Deno.test("README: a capability's first example that uses a path under /srv or /etc says what to use as yourself", () => {
  // Writing there takes root: `vc mirror ./data file:///srv/backup/data`,
  // typed as the mirror example has it, failed once per file with
  // `Permission denied (os error 13): mkdir '/srv/backup/data'`, where the
  // repository's and the service's examples said what to write instead.
  const lines = README.split("\n");
  const silent: string[] = [];
  for (const heading of CAPABILITIES) {
    const at = lines.indexOf(heading);
    const open = lines.findIndex((l, i) => i > at && l === "```sh");
    if (open < 0) continue;
    const close = lines.findIndex((l, i) => i > open && l === "```");
    const typed = lines.slice(open + 1, close).map((l) => l.replace(/\s+#.*$/, ""));
    if (!typed.some((l) => /(file:\/\/|\s)\/(srv|etc)\//.test(l))) continue;
    const around = lines.slice(at, close + 8).join(" ");
    if (!around.includes("as yourself")) silent.push(heading);
  }
  assertEquals(silent, []);
});
