/**
 * The repository suite against a real S3-compatible endpoint (moto in
 * `deno task test:compat`), on SQLite and, where installed, PostgreSQL.
 * Runs only when VC_TEST_S3_ENDPOINT is set.
 */
import { havePostgres } from "./pg_server.ts";
import { runRepoSuite } from "./repo_suite.ts";
import { freshBucket } from "./s3_test_client.ts";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");

async function withBucket(fn: (bucket: string) => Promise<void>): Promise<void> {
  await fn(await freshBucket(endpoint!, "vc-repo"));
}

Deno.test({
  name: "repository on an S3 endpoint: SQLite catalog (needs VC_TEST_S3_ENDPOINT)",
  ignore: endpoint === undefined,
  fn: (t) =>
    withBucket((bucket) =>
      runRepoSuite(t, "sqlite", "s3", { endpoint: { url: endpoint!, bucket } })
    ),
});

Deno.test({
  name: "repository on an S3 endpoint: PostgreSQL catalog (needs VC_TEST_S3_ENDPOINT and initdb)",
  ignore: endpoint === undefined || !havePostgres,
  fn: (t) =>
    withBucket((bucket) =>
      runRepoSuite(t, "postgres", "s3", { endpoint: { url: endpoint!, bucket } })
    ),
});
