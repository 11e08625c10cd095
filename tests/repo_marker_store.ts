/**
 * A directory store whose `.vc-repo.json` marker names a PostgreSQL catalog,
 * as a rewritten marker would: for the tests of what vc lets a catalog named
 * only by the store's marker do.
 *
 * @module
 */

/** A directory store (temp dir `prefix…`) whose marker names the PostgreSQL catalog `url`. */
export async function storeWithMarker(
  url: string,
  prefix: string,
): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.writeTextFile(
    `${dir}/.vc-repo.json`,
    JSON.stringify({
      format: "vc-repo",
      version: 1,
      catalog: { kind: "postgres", url },
      contentPrefix: "content/",
      createdAt: "2026-12-01T00:00:00.000Z",
      repository: "r-0123456789abcdef",
    }),
  );
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}
