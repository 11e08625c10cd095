/**
 * libpq's `sslpassword` (the password of the client's TLS key) is a secret
 * as `password` is, but redactPostgresUrl kept it: vc refuses the parameter,
 * and the message refusing it showed the URL with the password in it, in
 * plain, `--json` and `-v` output alike. It is now dropped, value and all.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { redactPostgresUrl } from "../src/repo/postgres_url.ts";

const SECRET = "tls-key-secret-pass";

Deno.test("redactPostgresUrl drops sslpassword with its value", () => {
  assertEquals(
    redactPostgresUrl(`postgres://vc@db/x?sslmode=require&sslpassword=${SECRET}`),
    "postgres://vc@db/x?sslmode=require",
  );
  assertEquals(
    redactPostgresUrl(`postgres://vc@[db/x?sslpassword=${SECRET}&sslmode=require`),
    "postgres://vc@[db/x?sslmode=require",
  );
  assertEquals(
    redactPostgresUrl(`postgres://vc@db/x?ssl%70assword=${SECRET}`),
    "postgres://vc@db/x",
  );
});

Deno.test("vc repo init --catalog with sslpassword=: refused, the password not shown", async () => {
  await withWorkspace(async (dir, vc) => {
    const catalog = `postgres://vc@127.0.0.1:1/db?sslmode=require&sslpassword=${SECRET}`;
    for (const extra of [[], ["--json"], ["-v"]]) {
      const r = await vc([
        "repo",
        "init",
        `file://${dir}/repo`,
        "--catalog",
        catalog,
        ...extra,
      ]);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "sslpassword is not supported");
      assert(!(r.stdout + r.stderr).includes(SECRET), `${extra.join(" ")}:\n${r.stderr}`);
    }
  });
});
