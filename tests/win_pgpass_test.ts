// The PostgreSQL password file as libpq reads it on Windows: lines saved
// with CRLF (Notepad) keep no `\r` in the password, and the default file is
// `%APPDATA%\postgresql\pgpass.conf`, not `~/.pgpass`. Run on Linux with
// `os: "windows"`: this proves vc's logic, not libpq's.
import { assertEquals } from "./assert.ts";
import { pgpassLookup, pgpassPath } from "../src/repo/postgres_catalog.ts";

Deno.test("pgpass: CRLF line endings are not part of the password", async () => {
  const file = await Deno.makeTempFile({ prefix: "vc-pgpass-" });
  try {
    await Deno.writeTextFile(
      file,
      "# saved on Windows\r\nother:*:*:*:no\r\ndb:5432:*:vc:s3cr\\:et\r\n",
    );
    const env = (n: string) => (n === "PGPASSFILE" ? file : undefined);
    assertEquals(await pgpassLookup(env, "db", 5432, "vc", "vc"), "s3cr:et");
    assertEquals(await pgpassLookup(env, "other", 1, "x", "y"), "no");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("pgpass (Windows logic): the default file is under %APPDATA%", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  const home = { HOME: "C:\\Users\\ann", APPDATA: "C:\\Users\\ann\\AppData\\Roaming" };
  assertEquals(
    pgpassPath(env(home), "windows"),
    "C:\\Users\\ann\\AppData\\Roaming\\postgresql\\pgpass.conf",
  );
  assertEquals(pgpassPath(env({ HOME: "C:\\Users\\ann" }), "windows"), undefined);
  assertEquals(pgpassPath(env({ ...home, PGPASSFILE: "D:\\pg.pass" }), "windows"), "D:\\pg.pass");
  assertEquals(pgpassPath(env({ HOME: "/home/ann" }), "linux"), "/home/ann/.pgpass");
});
