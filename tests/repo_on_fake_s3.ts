/**
 * A repository at `s3://b/repo` on a fresh fake S3 server, one attempt per
 * request (a fault the test sets fails at once, with no retries), its
 * SQLite catalog in a temp dir: for tests of a store that fails under a
 * repository operation.
 *
 * @module
 */
import { join } from "node:path";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { type FakeS3, startFakeS3 } from "../src/testing/mod.ts";
import { testS3Options } from "./versioned_helpers.ts";

/** A {@linkcode repoOnFakeS3}: disposing closes the repository, stops the server, removes the dir. */
export interface RepoOnFakeS3 extends AsyncDisposable {
  /** The temp dir (the catalog is `c.sqlite` there). */
  dir: string;
  s3: FakeS3;
  repo: Repository;
}

/**
 * A new repository `s3://b/repo` on a new fake S3 (bucket `b`), with no
 * retries, its catalog in a temp dir named with `prefix`.
 *
 * @example
 * ```ts
 * import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";
 * await using t = await repoOnFakeS3("vc_repo_example_");
 * await t.repo.add("/a.txt", new TextEncoder().encode("a"));
 * if (t.s3.listKeys("b", "repo/content/").length !== 1) throw new Error("one object");
 * ```
 */
export async function repoOnFakeS3(prefix: string): Promise<RepoOnFakeS3> {
  const dir = await Deno.makeTempDir({ prefix });
  let s3: FakeS3 | undefined;
  const release = async () => {
    try {
      await s3?.[Symbol.asyncDispose]();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
  try {
    s3 = await startFakeS3({ buckets: ["b"] });
    const server = s3;
    const repo = await Repository.init("s3://b/repo", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u: string) => openStore(u, testS3Options(server, { maxAttempts: 1 })),
    });
    return {
      dir,
      s3,
      repo,
      async [Symbol.asyncDispose]() {
        try {
          await repo[Symbol.asyncDispose]();
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}
