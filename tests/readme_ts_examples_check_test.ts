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
import { denoIn } from "./cli_process.ts";
import { ENV_VARS } from "../scripts/permissions.ts";

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

/** A block using an API that does not exist, checked with the README's: the check must catch it. */
const PLANTED = "planted_bad_api.ts";
const PLANTED_BLOCK =
  '# x\n\n```ts\nimport { cache } from "jsr:@vc/vc";\nawait cache.nope();\n```\n';

/**
 * The README's ts blocks and the planted one, checked by one `deno check`
 * (the library's API type-checked once for both tests, not once each; it
 * reports every file's errors, so the planted one hides none of theirs).
 */
let checked: Promise<{ code: number; out: string; blocks: number }> | undefined;
function checkReadmeAndPlanted(): Promise<{ code: number; out: string; blocks: number }> {
  return checked ??= (async () => {
    const blocks = readmeTsBlocks(await Deno.readTextFile(join(ROOT, "README.md")));
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
      const [planted] = readmeTsBlocks(PLANTED_BLOCK);
      await Deno.writeTextFile(join(dir, PLANTED), planted!.code);
      const { code, out } = await denoIn(dir, [
        "check",
        "--quiet",
        "--config",
        join(ROOT, "deno.json"),
        ...files,
        PLANTED,
      ]);
      return { code, out, blocks: blocks.length };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
}

/** The files the check's diagnostics point at (`    at file:///…/x.ts:2:13`), one per error. */
function errorFiles(out: string): string[] {
  return [...out.matchAll(/^\s+at (\S+?):\d+:\d+$/gm)].map((m) => m[1]!);
}

Deno.test("README: every ts example type-checks against the checkout", async () => {
  const { out, blocks } = await checkReadmeAndPlanted();
  // Asset cache, versioned cache, repository, cache client, mirror, stores, testing.
  assert(blocks >= 9, `found only ${blocks} ts blocks`);
  // The file names carry the README line of each failing block: no error
  // but the planted block's, and none without a place (the check ran whole).
  const files = errorFiles(out);
  assertEquals(files.filter((f) => !f.endsWith(`/${PLANTED}`)), [], out);
  assertEquals((out.match(/\[ERROR\]/g) ?? []).length, files.length, out);
  assert(!/^error: (?!Type checking failed)/m.test(out), out);
});

Deno.test("README ts check: a block using an API that does not exist is caught", async () => {
  const { code, out } = await checkReadmeAndPlanted();
  assert(code !== 0);
  assert(out.includes("nope"));
  assert(errorFiles(out).some((f) => f.endsWith(`/${PLANTED}`)), out);
});

Deno.test("README: every variable a ts example reads is one the vc binary's permissions allow", async () => {
  // The README runs its examples with those permissions (`deno task vc`'s,
  // scripts/permissions.ts): an example reading another variable (a
  // `Deno.env.get("TOKEN")`) fails there with NotCapable before vc is called.
  const allowed = (name: string) =>
    ENV_VARS.some((v) => v.endsWith("*") ? name.startsWith(v.slice(0, -1)) : v === name);
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const read = readmeTsBlocks(readme).flatMap(({ line, code }) =>
    [...code.matchAll(/Deno\.env\.get\("([^"]+)"\)/g)].map((m) => ({ line, name: m[1]! }))
  );
  assert(read.length > 0, "the README's ts examples read a variable");
  assertEquals(read.filter((r) => !allowed(r.name)), []);
});
