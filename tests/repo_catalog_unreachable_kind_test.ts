/**
 * A PostgreSQL catalog that cannot be reached (its server down or
 * restarting, a firewall, a DNS name that does not resolve) or lost in the
 * middle of a command is the catalog's "the store could not be reached":
 * a team's scripts branch on the JSON error's `kind` and retry an
 * `OfflineError` later. Its `kind` was `VcError`, the kind of "anything else"
 * (an unexpected error), so such a script gave up on a catalog restarting.
 * A login the server refuses (a wrong password) is, likewise, an
 * `AccessDeniedError` kind, as credentials a store refuses are. The
 * library's error stays a `CatalogUnavailableError`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { errorKind } from "../src/errors.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { loginRefused } from "../src/repo/catalog_moved.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { closedPort } from "./closed_port.ts";

const env = () => undefined;

Deno.test("a PostgreSQL catalog refusing the connection is an OfflineError kind", async () => {
  const url = `postgres://vc@127.0.0.1:${closedPort()}/vc`;
  const refused = await openPostgresCatalog(url, { env, connectRetryMs: 0 }).then(
    () => undefined,
    (e) => e,
  );
  assert(refused instanceof CatalogUnavailableError, String(refused));
  assertEquals(errorKind(refused), "OfflineError");
});

Deno.test("vc repo --json: a catalog that cannot be reached is kind OfflineError, exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_catalog_unreachable_" });
  try {
    const url = `postgres://vc@127.0.0.1:${closedPort()}/vc`;
    const uri = pathToFileURL(join(dir, "repo")).href;
    const io = memoryIo({ cwd: dir, env: { HOME: dir } });
    const code = await runCli(["repo", "init", uri, "--catalog", url, "--json"], io);
    assertEquals(code, 1, io.stderr());
    const { error } = JSON.parse(io.stdout());
    assertEquals([error.name, error.kind, error.exitCode], [
      "CatalogUnavailableError",
      "OfflineError",
      1,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "a PostgreSQL catalog lost in the middle of a command is an OfflineError kind (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_catalog_unreachable_" });
    try {
      await using pg = await startPgServer();
      const uri = pathToFileURL(join(dir, "repo")).href;
      // No retries while the server is down: the error at once.
      await using repo = await Repository.init(uri, { catalog: pg.url, env, connectRetryMs: 0 });
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await pg.stop();
      const lost = await repo.list().then(() => undefined, (e) => e);
      assert(lost instanceof CatalogUnavailableError, String(lost));
      assertEquals(errorKind(lost), "OfflineError");
      await pg.start();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a PostgreSQL catalog refusing the login is an AccessDeniedError kind (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  async fn() {
    await using pg = await startPgServer({ password: "s3cret" });
    const wrong = (name: string) => name === "PGPASSWORD" ? "wrong" : undefined;
    const refused = await openPostgresCatalog(pg.url, { env: wrong, connectRetryMs: 0 }).then(
      () => undefined,
      (e) => e,
    );
    assert(refused instanceof CatalogUnavailableError, String(refused));
    assertEquals(errorKind(refused), "AccessDeniedError");
    // Still a refused login to the code that tells one from a server down.
    assertEquals(loginRefused(refused), true);
  },
});
