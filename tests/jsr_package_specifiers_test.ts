/**
 * What `deno publish` would upload to JSR: every import specifier in the
 * package must resolve without vc's import map, because JSR serves the files
 * without it. `deno publish` rewrites the bare specifiers (`@aws-sdk/client-s3`,
 * `postgres`, ...) of the modules it packs, also of those reached only by a
 * computed `import()` such as `src/store/s3_sdk.ts` (measured on Deno 2.9.6:
 * it rewrites every module file, not only its module graph's); this test
 * catches a module it would pack unrewritten.
 *
 * It runs the real `deno publish` against a fake registry on 127.0.0.1 that
 * keeps the uploaded tarball, reads the tarball's files, then serves them by
 * URL to a script that uses the package as a JSR user would.
 */
import assert from "node:assert/strict";

const REPO_ROOT = new URL("../", import.meta.url);

interface PackedFile {
  readonly path: string;
  readonly text: string;
}

/** Starts a registry that answers just enough of JSR's API for one publish. */
function fakeRegistry(): {
  url: string;
  tarball: Promise<Uint8Array<ArrayBuffer>>;
  close(): Promise<void>;
} {
  const { promise: tarball, resolve } = Promise.withResolvers<Uint8Array<ArrayBuffer>>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const body = new Uint8Array(await req.arrayBuffer());
    if (req.method === "POST" && path.includes("/versions/")) {
      resolve(body);
      return Response.json({ id: "task", status: "pending", error: null });
    }
    if (path.startsWith("/api/publish_status/")) {
      return Response.json({ id: "task", status: "success", error: null });
    }
    if (path.includes("/versions/")) {
      // No version is published yet.
      return Response.json({ code: "versionNotFound", message: "not found" }, { status: 404 });
    }
    if (path.startsWith("/api/scopes/")) return Response.json({ scope: "vc", name: "vc" });
    return Response.json({ code: "notFound", message: "not found" }, { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    tarball,
    close: () => server.shutdown(),
  };
}

/** Reads the regular files of an uncompressed ustar archive. */
function untar(archive: Uint8Array): PackedFile[] {
  const files: PackedFile[] = [];
  const decoder = new TextDecoder();
  const field = (at: number, length: number) =>
    decoder.decode(archive.subarray(at, at + length)).replace(/\0.*$/s, "");
  for (let at = 0; at + 512 <= archive.length;) {
    const name = field(at, 100);
    if (name === "") break;
    const prefix = field(at + 345, 155);
    const size = parseInt(field(at + 124, 12).trim() || "0", 8);
    const type = field(at + 156, 1);
    const start = at + 512;
    if (type === "0" || type === "") {
      files.push({
        path: (prefix ? `${prefix}/${name}` : name).replace(/^\.?\//, ""),
        text: decoder.decode(archive.subarray(start, start + size)),
      });
    }
    at = start + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * The module specifiers a file's code names in `from "…"`, `import "…"` and
 * `import("…")`; comment lines are left out (prose quotes `import("...")`).
 */
function specifiers(text: string): string[] {
  const code = text.split("\n").filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line)).join("\n");
  const found: string[] = [];
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"([^"\n]+)"/g)) {
    found.push(match[1]!);
  }
  return found;
}

/** Whether JSR can resolve the specifier with no import map. */
function resolvesWithoutImportMap(specifier: string): boolean {
  return /^(\.\.?\/|node:|npm:|jsr:|https:)/.test(specifier);
}

/** Runs `deno publish` against a fake registry and returns the files it uploaded. */
async function publishedFiles(): Promise<PackedFile[]> {
  const registry = fakeRegistry();
  try {
    const publish = await new Deno.Command(Deno.execPath(), {
      args: ["publish", "--token", "test-token", "--no-provenance", "--no-check", "--allow-dirty"],
      cwd: REPO_ROOT,
      env: { JSR_URL: registry.url, JSR_API_URL: `${registry.url}api/`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(publish.stderr) +
      new TextDecoder().decode(publish.stdout);
    assert.equal(publish.code, 0, output);
    const gzipped = await registry.tarball;
    return untar(
      new Uint8Array(
        await new Response(
          new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip")),
        ).arrayBuffer(),
      ),
    );
  } finally {
    await registry.close();
  }
}

// One publish serves both tests (each takes seconds).
let published: Promise<PackedFile[]> | undefined;
const packageFiles = () => published ??= publishedFiles();

Deno.test("the package deno publish would upload names no bare specifier", async () => {
  const modules = (await packageFiles()).filter((file) => /\.(ts|js|mjs)$/.test(file.path));
  const paths = modules.map((file) => file.path);
  // The modules vc imports only by a computed specifier are packed too.
  for (const path of ["mod.ts", "cli.ts", "src/store/s3_sdk.ts", "src/cli/command_table.ts"]) {
    assert.ok(paths.includes(path), `${path} is not in the package: ${paths.slice(0, 20)}`);
  }
  const bare = modules.flatMap((file) =>
    specifiers(file.text).filter((s) => !resolvesWithoutImportMap(s)).map((s) =>
      `${file.path}: ${s}`
    )
  );
  assert.deepEqual(bare, [], "specifiers JSR cannot resolve");
  const sdk = modules.find((file) => file.path === "src/store/s3_sdk.ts")!;
  assert.match(sdk.text, /from "npm:@aws-sdk\/client-s3@/);
});

// A script a user writes against the package as JSR serves it: by URL, with
// no import map. It fetches through the asset cache, then copies and deletes
// (the two go through the AWS SDK, which vc imports by a computed specifier).
const CONSUMER = `
const base = Deno.args[0];
const { AssetCache, openStore } = await import(\`\${base}/mod.ts\`);
const { startFakeS3 } = await import(\`\${base}/src/testing/mod.ts\`);
await using s3 = await startFakeS3();
const dir = await Deno.makeTempDir();
try {
  await s3.putObject("data", "a.txt", "hello");
  await using assets = new AssetCache({ cacheDir: \`\${dir}/cache\`, configPath: false, env: s3.env });
  const path = await assets.cache("s3://data/a.txt");
  if (await Deno.readTextFile(path) !== "hello") throw new Error("the cached copy differs");
  for (const [name, value] of Object.entries(s3.env)) Deno.env.set(name, value);
  const store = await openStore("s3://data");
  await store.copy("a.txt", "b.txt");
  await store.delete(["a.txt"]);
  const keys = [];
  for await (const object of store.list("")) keys.push(object.key);
  await store.close();
  console.log(JSON.stringify(keys));
} finally {
  await Deno.remove(dir, { recursive: true });
}
`;

Deno.test("the published package runs from its URLs without vc's import map", async () => {
  const files = new Map((await packageFiles()).map((file) => [`/${file.path}`, file.text]));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const text = files.get(new URL(req.url).pathname);
    if (text === undefined) return new Response("not in the package", { status: 404 });
    return new Response(text, { headers: { "content-type": "application/typescript" } });
  });
  const dir = await Deno.makeTempDir();
  try {
    // A Deno directory of its own keeps the fetched modules out of the
    // user's; its npm packages are the user's (there is no network here).
    const info = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output()).stdout,
      ),
    );
    await Deno.mkdir(`${dir}/deno`);
    await Deno.symlink(info.npmCache, `${dir}/deno/npm`);
    await Deno.writeTextFile(`${dir}/consumer.ts`, CONSUMER);
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-config",
        "--no-lock",
        `${dir}/consumer.ts`,
        `http://127.0.0.1:${server.addr.port}`,
      ],
      cwd: dir,
      env: { DENO_DIR: `${dir}/deno`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.equal(new TextDecoder().decode(run.stdout).trim(), `["b.txt"]`, stderr);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
