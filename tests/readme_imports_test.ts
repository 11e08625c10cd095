/**
 * The README's TypeScript examples are copied into other projects, so they
 * import vc only through its published entry points (`jsr:@vc/vc` and the
 * subpaths deno.json exports), never a path inside this checkout.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("README: ts examples import vc only as jsr:@vc/vc[/subpath]", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    exports: Record<string, string>;
  };
  const published = new Set(
    Object.keys(config.exports).map((k) => k === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${k.slice(2)}`),
  );
  // The store-contract example imports the reader's own store, which it names.
  const ownFiles = new Set(["./my_store.ts"]);
  const wrong: string[] = [];
  for (const block of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const spec of block[1]!.matchAll(/^import [^;]*? from "([^"]+)";/gm)) {
      const s = spec[1]!;
      if (s.startsWith("node:") || published.has(s) || ownFiles.has(s)) continue;
      wrong.push(s);
    }
  }
  assertEquals(wrong, []);
});

Deno.test("README and mod.ts: the subpath table and the module doc name every export of deno.json", async () => {
  // Users learn from these two lists which entry points exist; one left out
  // (./repo, ./server and ./mirror were) is an API they never look for.
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const modDoc = (await Deno.readTextFile(`${ROOT}mod.ts`)).split("@module")[0]!;
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    exports: Record<string, string>;
  };
  const section = readme.split("## Module API and subpath exports")[1]!.split("\n## ")[0]!;
  const tableRows = new Set(
    [...section.matchAll(/^\| `(jsr:@vc\/vc[^`]*)` +\|/gm)].map((m) => m[1]!),
  );
  const missing: string[] = [];
  for (const key of Object.keys(config.exports)) {
    const name = key === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${key.slice(2)}`;
    if (!tableRows.has(name)) missing.push(`README table: ${name}`);
    if (key !== "." && !modDoc.includes(`\`@vc/vc/${key.slice(2)}\``)) {
      missing.push(`mod.ts: @vc/vc/${key.slice(2)}`);
    }
  }
  assertEquals(missing, []);
  // The control: the table was found.
  assertEquals(tableRows.has("jsr:@vc/vc/store"), true);
});

/** The `.ts` files under `dir` (recursively), as paths relative to the checkout. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/**
 * The modules that `text` imports, statically or with `import("…")`, outside
 * comments (doc examples import `node:assert/strict` and the reader's files).
 */
function importsOf(text: string): string[] {
  const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join("\n");
  return [
    ...code.matchAll(/\bfrom\s+"([^"]+)"/g),
    ...code.matchAll(/\bimport\s*\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]!);
}

Deno.test("README: the dependency list names every module vc imports, and deno.json's import map", async () => {
  // The list named node:crypto, node:util, node:path and node:url as the
  // built-in modules used, while the library also imports node:http(s)
  // (large uploads), node:zlib (CRC32), node:sqlite (catalogs, mirror
  // state), node:net / node:tls (PostgreSQL) and more: an audit of what vc
  // runs read an incomplete list.
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.split("\n## Dependencies\n")[1]!.split("\n## ")[0]!;
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    imports: Record<string, string>;
  };
  // What ships: the library, the command line, the release build's scripts.
  const files = [
    "mod.ts",
    "cli.ts",
    ...await tsFiles("src"),
    ...await tsFiles("scripts/release"),
    "scripts/compile.ts",
    "scripts/eager_compile.ts",
    "scripts/permissions.ts",
  ];
  const used = new Set<string>();
  for (const file of files) {
    for (const spec of importsOf(await Deno.readTextFile(`${ROOT}${file}`))) {
      if (spec.startsWith(".") || spec.startsWith("/")) continue;
      const mapped = config.imports[spec] ?? spec;
      // `npm:name@^1.2.3` → `npm:name`; `node:fs/promises` stays whole.
      used.add(mapped.replace(/^(npm:(?:@[^/]+\/)?[^@/]+).*$/, "$1"));
    }
  }
  for (const spec of Object.values(config.imports)) {
    used.add(spec.replace(/^(npm:(?:@[^/]+\/)?[^@/]+).*$/, "$1"));
  }
  const named = (spec: string) => section.includes(`\`${spec}\``);
  const unnamed = [...used].filter((spec) => !named(spec)).sort();
  assertEquals(unnamed, [], "imported but not in the README's Dependencies section");
  // And the other way: no package the section lists that vc does not use.
  const listed = [...section.matchAll(/`((?:npm|node):[^`]+)`/g)].map((m) => m[1]!);
  assertEquals(listed.filter((spec) => !used.has(spec)).sort(), [], "listed but never imported");
  // The control: the scan saw the lazily loaded SDK and a built-in module.
  assertEquals(used.has("npm:@aws-sdk/client-s3") && used.has("node:crypto"), true);
});

Deno.test("deno.lock pins only npm packages the checkout imports, which a fresh machine downloads", async () => {
  // Deno downloads every package the lock pins on a fresh machine's first
  // run (the README's "Download" lines), and `deno task install` caches them
  // for the installed vc: the lock kept an `npm:@types/semver` nothing
  // imported, downloaded by every fresh checkout and install.
  const lock = JSON.parse(await Deno.readTextFile(`${ROOT}deno.lock`)) as {
    specifiers: Record<string, string>;
  };
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    imports: Record<string, string>;
  };
  const imported = new Set(Object.values(config.imports));
  const files = [
    "mod.ts",
    "cli.ts",
    ...await tsFiles("src"),
    ...await tsFiles("scripts"),
    ...await tsFiles("tests"),
  ];
  for (const file of files) {
    for (const spec of importsOf(await Deno.readTextFile(`${ROOT}${file}`))) {
      if (spec.startsWith("npm:")) imported.add(spec);
    }
  }
  const pinned = Object.keys(lock.specifiers).filter((s) => s.startsWith("npm:"));
  assertEquals(pinned.filter((s) => !imported.has(s)).sort(), [], "pinned but never imported");
  // The control: the lock pins the AWS SDK, which deno.json imports.
  assertEquals(pinned.includes(config.imports["@aws-sdk/client-s3"]!), true);
});
