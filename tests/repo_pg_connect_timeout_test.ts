/**
 * A PostgreSQL server that takes the connection but never answers (a hung or
 * stopped server) is reported in words, with where vc was connecting. Before,
 * the message was the driver's "write CONNECT_TIMEOUT undefined:undefined":
 * vc's own pool sockets did not carry the host and port the driver reports.
 */
import { assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { silentServer } from "./raw_server.ts";

Deno.test("repo: a PostgreSQL server that never answers is named with its address", async () => {
  await using server = silentServer(); // accepts, never answers
  const { port } = server;
  await assertRejects(
    () => openPostgresCatalog(`postgres://vc@127.0.0.1:${port}/vc`, { env: () => undefined }),
    CatalogUnavailableError,
    `cannot reach PostgreSQL catalog postgres://vc@127.0.0.1:${port}/vc: ` +
      `no answer from the server within 10 s (CONNECT_TIMEOUT 127.0.0.1:${port})`,
  );
});
