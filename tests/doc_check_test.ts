import { findConsoleAsserts } from "../scripts/check_doc_asserts.ts";
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

Deno.test("doc check: deno task ok runs the check", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  assert(String(config.tasks.ok).includes("scripts/check_doc_asserts.ts"));
});
