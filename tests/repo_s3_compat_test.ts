/**
 * The repository suite against a real S3-compatible endpoint (moto in
 * `deno task test:compat`), on SQLite and, where installed, PostgreSQL.
 * Runs only when VC_TEST_S3_ENDPOINT is set.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { havePostgres } from "./pg_server.ts";
import { runRepoSuite } from "./repo_suite.ts";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");

async function withBucket(fn: (bucket: string) => Promise<void>): Promise<void> {
  const bucket = `vc-repo-${crypto.randomUUID().slice(0, 12)}`;
  const client = new S3Client({
    endpoint: endpoint!,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  // The bucket is left to the throwaway endpoint (compat.sh stops moto afterwards).
  await fn(bucket);
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
