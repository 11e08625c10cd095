/**
 * The PostgreSQL catalog's "waiting for the server" lines (a server with
 * too many clients) were written with `console.error` whatever the CLI's
 * output: `--quiet` printed them, and they bypassed its `vc: warning:`
 * lines. `Repository.open` / `init` take `onConnectWait`, and the CLI routes
 * the lines through its output: warnings on stderr, none with `--quiet`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";

Deno.test({
  name:
    "vc repo: waits for a PostgreSQL server with too many clients are CLI warnings, none with --quiet (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer();
    const env = () => undefined;
    const admin = await openPostgresCatalog(pg.url, { env });
    try {
      await admin.transaction("write", async (tx) => {
        await tx.query("CREATE ROLE w LOGIN");
        await tx.query("GRANT ALL ON SCHEMA public TO w");
      });
    } finally {
      await admin.close();
    }
    const url = pg.url.replace("postgres://vc@", "postgres://w@");
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_wait_output_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await (await Repository.init(uri, { catalog: url, env })).close();
      const limit = await openPostgresCatalog(pg.url, { env });
      try {
        await limit.transaction("write", (tx) => tx.query("ALTER ROLE w CONNECTION LIMIT 1"));
      } finally {
        await limit.close();
      }
      const lsWhileHeld = async (...flags: string[]) => {
        // The role's one connection, held for a second.
        const holder = await openPostgresCatalog(url, { env, connectRetryMs: 0 });
        const release = setTimeout(() => holder.close(), 1_000);
        try {
          const io = memoryIo({ cwd: dir, env: { HOME: dir, PGCONNECT_TIMEOUT: "5" } });
          const code = await runCli(["repo", "ls", "--repo", uri, ...flags], io);
          assertEquals(code, 0, io.stderr());
          return io.stderr();
        } finally {
          clearTimeout(release);
          await holder.close();
        }
      };
      const stderr = await lsWhileHeld();
      assertStringIncludes(
        stderr,
        `vc: warning: PostgreSQL at 127.0.0.1:${pg.port} has too many clients; trying again`,
      );
      assert(!stderr.includes("vc: vc:"), stderr);
      assertEquals(await lsWhileHeld("--quiet"), "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
