/**
 * A repository backup (and `fillLock` / `checkLock`, a restore) works in a
 * scratch directory in the system's temp directory. A script whose
 * `--allow-write` covers only its own directories got Deno's bare
 * `NotCapable` (`Requires write access to <TMP>, run again with the
 * --allow-write flag`), which names neither the directory nor the flag's
 * value: it is an `AccessDeniedError` naming both.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";

const REPO = new URL("../src/repo/mod.ts", import.meta.url).href;
const CHECKOUT = new URL("..", import.meta.url).pathname;

Deno.test("Repository.backup without write permission for the temp directory names it and the flags", async () => {
  const parent = await Deno.makeTempDir({ prefix: "vc-scratch-without-temp-permission-" });
  // The script's own directory; the temp directory is beside it.
  const dir = `${parent}/own`;
  const tmp = `${parent}/tmp`;
  try {
    await Deno.mkdir(dir);
    await Deno.mkdir(tmp);
    await Deno.writeTextFile(
      `${dir}/script.ts`,
      `import { Repository } from ${JSON.stringify(REPO)};
await using repo = await Repository.init("file://" + ${JSON.stringify(dir)} + "/repo");
await repo.add("/a.txt", new TextEncoder().encode("a"));
try { await repo.backup(); console.log("ok"); }
catch (e) { console.log(e.constructor.name + ": " + e.message); }`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-read=${dir},${CHECKOUT}`,
        `--allow-write=${dir}`,
        "--allow-sys=hostname",
        "--allow-env=TMPDIR",
        `${dir}/script.ts`,
      ],
      clearEnv: true,
      env: { TMPDIR: tmp, NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const line = new TextDecoder().decode(out.stdout).trim();
    assertStringIncludes(line, "AccessDeniedError: cannot make a temp directory in TMPDIR");
    assertStringIncludes(line, `--allow-read=${tmp} --allow-write=${tmp}`);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
