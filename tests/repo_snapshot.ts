/**
 * The snapshot the `repo restore` tests restore: a repository of one record,
 * `/a.txt` holding "a", backed up.
 */
import { type InitOptions, Repository } from "../src/repo/repository.ts";

/**
 * Makes a repository at `uri` (with `options`), adds `/a.txt` ("a") and
 * backs it up to `snapshot`; the repository is closed again.
 */
export async function oneRecordSnapshot(
  uri: string,
  snapshot: string,
  options: InitOptions = {},
): Promise<void> {
  await using repo = await Repository.init(uri, options);
  await repo.add("/a.txt", new TextEncoder().encode("a"));
  await repo.backup(snapshot);
}
