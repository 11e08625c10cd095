/**
 * The PostgreSQL driver loads by a computed specifier (so that `vc repo` on a
 * SQLite catalog never resolves its npm package), which Deno refuses a script
 * run from a checkout without read access to vc's files. Its first
 * PostgreSQL catalog is then an `AccessDeniedError` naming the module and the
 * flag to add, as for the AWS SDK's module, not a bare `TypeError`.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("PostgreSQL catalog without read access to vc's files: an AccessDeniedError naming the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-pg-no-read-driver-" });
  try {
    const catalog = new URL("src/repo/postgres_catalog.ts", ROOT).href;
    await Deno.writeTextFile(
      `${dir}/script.ts`,
      `import { openPostgresCatalog } from ${JSON.stringify(catalog)};
try {
  // Port 1: nothing listens; the driver's module is loaded before any connection.
  await openPostgresCatalog("postgres://u:pw@127.0.0.1:1/db?sslmode=disable");
  console.log("ok");
} catch (e) {
  console.log(e.constructor.name + ": " + e.message);
}`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--config",
        new URL("deno.json", ROOT).pathname,
        `--allow-read=${dir}`,
        "--allow-env",
        "--allow-net=127.0.0.1",
        `${dir}/script.ts`,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(out.stdout).trim();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertStringIncludes(said, "AccessDeniedError: a PostgreSQL catalog loads the driver's module");
    assertStringIncludes(said, "--allow-read=");
    assertStringIncludes(said, "src/repo/postgres_driver.ts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
