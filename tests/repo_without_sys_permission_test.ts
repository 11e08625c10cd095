/**
 * A script run without `--allow-sys` that opens a repository: the default
 * `host` is `Deno.hostname()`, whose denial came out of `Repository.init`
 * (and `open`, `restore`) as a bare `NotCapable`. Now it is an
 * `AccessDeniedError` saying why the repository needs this machine's name,
 * and the two ways out (`--allow-sys`, or the `host` option, which works
 * without it).
 */
import { assertEquals } from "./assert.ts";

const REPO = new URL("../src/repo/mod.ts", import.meta.url).href;

Deno.test("Repository without --allow-sys: AccessDeniedError naming the permission and the host option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-repo-no-sys-" });
  try {
    const script = `
      import { Repository } from ${JSON.stringify(REPO)};
      const root = ${JSON.stringify(`file://${dir}/repo`)};
      try { await Repository.init(root); console.log("ok"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }
      await using repo = await Repository.init(root, { host: "ci-1" });
      console.log((await repo.add("/a.txt", new TextEncoder().encode("a"))).originHost);`;
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        `--allow-read=${dir},${new URL("../", import.meta.url).pathname}`,
        `--allow-write=${dir}`,
        `${dir}/script.ts`,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assertEquals(lines, [
      "AccessDeniedError: a repository records this machine's name, which cannot be read " +
      "without sys permission: run with --allow-sys (or --allow-sys=hostname), or pass the " +
      "host option",
      "ci-1",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
