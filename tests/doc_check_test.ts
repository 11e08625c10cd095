import { findAssertlessExamples, findConsoleAsserts } from "../scripts/check_doc_asserts.ts";
import { assert, assertEquals } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

async function docTest(dir: string, example: string): Promise<number> {
  const file = `${dir}/mod.ts`;
  await Deno.writeTextFile(
    file,
    [
      "/**",
      " * ```ts",
      ...example.split("\n").map((l) => ` * ${l}`),
      " * ```",
      " */",
      "export const x = 1;",
      "",
    ]
      .join("\n"),
  );
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["test", "--doc", "--no-check", "--no-config", file],
    cwd: dir,
    stdout: "null",
    stderr: "null",
  }).output();
  return run.code;
}

Deno.test("doc check: a wrong example fails with assert, and console.assert would hide it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const wrong = 'import assert from "node:assert/strict";\nassert.equal(1 + 1, 3);';
    assert((await docTest(dir, wrong)) !== 0, "a throwing assertion fails deno test --doc");
    // The reason for the check: console.assert only logs, so this passes.
    assertEquals(await docTest(dir, "console.assert(1 + 1 === 3);"), 0);
    // ...and the check that `deno task ok` runs rejects it.
    const found = await findConsoleAsserts([`${dir}/mod.ts`]);
    assertEquals(found.length, 1);
    assert(found[0]!.includes("mod.ts:3:"), found[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc check: the project's sources use no console.assert", async () => {
  const found = await findConsoleAsserts([`${root}mod.ts`, `${root}cli.ts`, `${root}src`]);
  assertEquals(found, []);
});

Deno.test("doc check: an example that runs but asserts nothing is found, one that asserts is not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/mod.ts`;
    const example = (
      fence: string,
      body: string,
    ) => [
      "/**",
      " * @example",
      ` * ${fence}`,
      ...body.split("\n").map((l) => ` * ${l}`),
      " * ```",
      " */",
    ];
    await Deno.writeTextFile(
      file,
      [
        ...example("```ts", "const x = 1 + 1;"), // line 3: checks nothing
        ...example("```ts", 'import assert from "node:assert/strict";\nassert.equal(1 + 1, 2);'),
        ...example("```ts ignore", "await fetch('https://example.com');"), // not run
        ...example("```json", '{ "a": 1 }'), // not code
        ...example("```js", 'import assert from "node:assert/strict";\n// assert nothing'), // line 28
        ...example("```ts", "if (1 + 1 !== 2) throw new Error('maths');"),
        "export const x = 1;",
        "",
      ].join("\n"),
    );
    const found = await findAssertlessExamples([file]);
    assertEquals(found, [
      `${file}:3: \`\`\`ts example asserts nothing`,
      `${file}:28: \`\`\`js example asserts nothing`,
    ]);
    // The one that checks nothing passes deno test --doc whatever it computes.
    assertEquals(await docTest(dir, "const x: number = 1 + 1;"), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("doc check: the project's runnable doc examples each assert something", async () => {
  assertEquals(await findAssertlessExamples([`${root}mod.ts`, `${root}cli.ts`, `${root}src`]), []);
});

Deno.test("doc check: deno task ok runs the check", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  assert(String(config.tasks.ok).includes("scripts/check_doc_asserts.ts"));
});

Deno.test("doc check: doc examples never write to the user's cache or config dir", async () => {
  // Examples of modules whose symbols open caches. `deno test --doc` runs them
  // with the developer's environment: one that builds a cache with default
  // settings writes into their real cache dir (~/.cache/vc) and leaves an
  // entry behind whose source was a temp dir.
  const home = await Deno.makeTempDir();
  try {
    const files = [
      "mod.ts",
      "src/cache/asset_cache.ts",
      "src/prefill/prefill.ts",
      "src/versioned/versioned_cache.ts",
      "src/versioned/lock_ops.ts",
      "src/versioned/slash_keys.ts",
    ];
    const env: Record<string, string> = {
      HOME: home,
      XDG_CACHE_HOME: `${home}/cache`,
      XDG_CONFIG_HOME: `${home}/config`,
    };
    const run = await new Deno.Command(Deno.execPath(), {
      // Through the doc test runner `deno task test:doc` uses (one worker for
      // the examples, not one each as `deno test --doc` makes). No type check:
      // `deno task test:doc` does it; what is under test is where they write.
      args: ["run", "-A", "scripts/doc_tests.ts", "--no-check", "--jobs", "1", ...files],
      cwd: root,
      env: { ...env, VC_CACHE_DIR: "", VC_CONFIG: "", VC_OFFLINE: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 0, out);
    assert(/all doc examples passed: \d+ examples/.test(out), out);
    const written: string[] = [];
    for (const dir of [`${home}/cache/vc`, `${home}/config/vc`]) {
      try {
        for await (const e of Deno.readDir(dir)) written.push(`${dir}/${e.name}`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    assertEquals(written, []);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
