/**
 * A stop (Ctrl-C, a library caller's signal) heard inside a transaction on a
 * PostgreSQL catalog is that stop, not a crash: a DOMException carries a
 * numeric `code` (20 for an AbortError), on which the catalog's check for a
 * lost connection called `startsWith`, so `vc repo backup` on a PostgreSQL
 * catalog stopped with Ctrl-C between two pages of rows said
 * `vc: internal error: TypeError: code.startsWith is not a function`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { pgCases } from "./pg_server.ts";

pgCases("repo: stops and DOMExceptions on a PostgreSQL catalog", [[
  "repo backup: a stop between its pages on a PostgreSQL catalog is the stop, no TypeError",
  async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "vc_pg_abort_tx_" });
    try {
      const uri = pathToFileURL(join(dir, "repo")).href;
      await using repo = await Repository.init(uri, { catalog: url });
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      const stop = new AbortController();
      const error = await assertRejects(() =>
        repo.backup(join(dir, "b.jsonl.gz"), {
          signal: stop.signal,
          // Stopped once reading has begun: heard inside the read transaction.
          onProgress: (p) => {
            if (p.current === "reading the catalog") stop.abort();
          },
        })
      );
      assert(error === stop.signal.reason, `rejected with ${error}, not the stop`);
      assertEquals(await Deno.stat(join(dir, "b.jsonl.gz")).catch(() => "none"), "none");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
], [
  "repo: a DOMException thrown in a PostgreSQL transaction comes out as it is",
  async (url) => {
    const catalog = await openPostgresCatalog(url, { env: () => undefined });
    try {
      for (const mode of ["read", "write"] as const) {
        for (const name of ["AbortError", "TimeoutError"]) {
          const thrown = new DOMException("stopped", name);
          const error = await assertRejects(() =>
            catalog.transaction(mode, async (tx) => {
              await tx.query("SELECT 1");
              throw thrown;
            })
          );
          assert(error === thrown, `${mode} ${name}: rejected with ${error}`);
        }
      }
    } finally {
      await catalog.close();
    }
  },
]]);
