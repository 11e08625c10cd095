import { assertEquals } from "./assert.ts";

const root = new URL("..", import.meta.url).pathname;

Deno.test("doc lint: deno doc --lint passes on every export of deno.json", async () => {
  // JSR scores documentation with this lint: a public type that references
  // a type no entry point exports (e.g. `CacheGetOptions.integrity`) is
  // undocumented for users, who also cannot name the type in their code.
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const entries = Object.values(config.exports as Record<string, string>);
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
  assertEquals(run.code, 0, out);
});
