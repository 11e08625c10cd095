/**
 * The README's TypeScript examples are what a newcomer copies first, so each
 * must still type-check against the API it shows (a renamed option or method
 * would otherwise leave an example that fails only in the reader's project).
 * They are checked as the README's "Library" install runs them from a
 * checkout: `deno check --config path/to/vc/deno.json`.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv } from "./cli_process.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * What an example leaves to the reader, declared so the rest of it is
 * checked: the computation `withCache` caches, and the reader's own store.
 */
const PLACEHOLDERS: { uses: RegExp; declare: string }[] = [
  { uses: /\balign\(/, declare: "declare function align(k: number): Promise<Uint8Array>;" },
];
const MY_STORE = [
  'import type { ObjectStore } from "jsr:@vc/vc/store";',
  "export declare class MyStore {",
  "  static open(options: { bucket: string }): Promise<ObjectStore>;",
  "}",
  "",
].join("\n");

/** Every ```ts block of the README, with the line it starts on. */
function readmeTsBlocks(readme: string): { line: number; code: string }[] {
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => ({
    line: readme.slice(0, m.index).split("\n").length,
    code: m[1]!,
  }));
}

Deno.test("README: every ts example type-checks against the checkout", async () => {
  const blocks = readmeTsBlocks(await Deno.readTextFile(join(ROOT, "README.md")));
  // Asset cache, versioned cache, repository, cache client, mirror, stores, testing.
  assert(blocks.length >= 9, `found only ${blocks.length} ts blocks`);
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-readme-ts-" }));
  try {
    await Deno.writeTextFile(join(dir, "my_store.ts"), MY_STORE);
    const files: string[] = [];
    for (const { line, code } of blocks) {
      const stubs = PLACEHOLDERS.filter((p) => p.uses.test(code)).map((p) => p.declare);
      const file = `readme_line_${line}.ts`;
      await Deno.writeTextFile(join(dir, file), [...stubs, code].join("\n"));
      files.push(file);
    }
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", join(ROOT, "deno.json"), ...files],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    // The file names carry the README line of each failing block.
    assertEquals(run.code, 0, out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README ts check: a block using an API that does not exist is caught", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-readme-ts-" }));
  try {
    const [block] = readmeTsBlocks(
      '# x\n\n```ts\nimport { cache } from "jsr:@vc/vc";\nawait cache.nope();\n```\n',
    );
    await Deno.writeTextFile(join(dir, "b.ts"), block!.code);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", join(ROOT, "deno.json"), "b.ts"],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(run.code !== 0);
    assert(new TextDecoder().decode(run.stderr).includes("nope"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
