/**
 * The repository suite (repo_suite.ts) on both catalogs and both local stores:
 * SQLite and PostgreSQL, each over FsStore and over the fake S3 server.
 * PostgreSQL runs for real (initdb + pg_ctl on a free port, see pg_server.ts);
 * where it is not installed those tests are declared ignored.
 */
import { join } from "node:path";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { StoreOptions } from "../src/store/open.ts";
import { havePostgres, type PgServer, startPgServer } from "./pg_server.ts";
import { repoSuite, type SuiteEnv } from "./repo_suite.ts";

type CatalogKind = "sqlite" | "postgres";

async function run(t: Deno.TestContext, kind: CatalogKind, storeKind: "fs" | "s3") {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_" });
  let pg: PgServer | undefined;
  const s3 = storeKind === "s3" ? await startFakeS3({ buckets: ["repo"] }) : undefined;
  try {
    if (kind === "postgres" || havePostgres) pg = await startPgServer();
    let n = 0;
    const sqlite = () => `sqlite:${join(dir, `catalog-${++n}.sqlite`)}`;
    const postgres = () => pg!.createDatabase(`vc_${++n}`);
    const store: StoreOptions | undefined = s3
      ? {
        s3: {
          endpoint: s3.url,
          region: "us-east-1",
          forcePathStyle: true,
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          maxAttempts: 2,
        },
      }
      : undefined;
    const env: SuiteEnv = {
      label: `${kind}+${storeKind}`,
      newStoreUri: () =>
        Promise.resolve(s3 ? `s3://repo/r${++n}` : `file://${join(dir, `store-${++n}`)}`),
      // FsStore + SQLite uses the default (SQLite beside the content).
      newCatalog: () =>
        kind === "postgres"
          ? postgres()
          : Promise.resolve(storeKind === "fs" ? undefined : sqlite()),
      newOtherCatalog: () => kind === "sqlite" && pg ? postgres() : Promise.resolve(sqlite()),
      cacheDir: join(dir, "cache"),
      ...(store ? { store } : {}),
    };
    await repoSuite(t, env);
  } finally {
    await pg?.[Symbol.asyncDispose]();
    await s3?.[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repository: SQLite catalog, FsStore", (t) => run(t, "sqlite", "fs"));
Deno.test("repository: SQLite catalog, fake S3", (t) => run(t, "sqlite", "s3"));
Deno.test({
  name:
    "repository: PostgreSQL catalog, FsStore (ignored where PostgreSQL initdb is not installed)",
  ignore: !havePostgres,
  fn: (t) => run(t, "postgres", "fs"),
});
Deno.test({
  name:
    "repository: PostgreSQL catalog, fake S3 (ignored where PostgreSQL initdb is not installed)",
  ignore: !havePostgres,
  fn: (t) => run(t, "postgres", "s3"),
});
