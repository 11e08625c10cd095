/**
 * The snapshot the `repo restore` tests restore: a repository of one record,
 * `/a.txt` holding "a", backed up.
 */
import { type InitOptions, Repository } from "../src/repo/repository.ts";
import type { RestoreCounts } from "../src/repo/mod.ts";

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

/**
 * A restore of an older snapshot at `uri`: `/a.csv` ("aaa") published and
 * backed up, then `/b.csv` ("bbbbb") published (`laterKey`, its content, the
 * snapshot does not know), and the snapshot restored over it (`restored`,
 * the restore's counts). The repository is closed again.
 */
export async function restoredOlderSnapshot(
  uri: string,
): Promise<{ laterKey: string; restored: RestoreCounts }> {
  const bytes = (s: string) => new TextEncoder().encode(s);
  await using repo = await Repository.init(uri);
  await repo.publish((await repo.add("/a.csv", bytes("aaa"))).id);
  const { uri: snapshot } = await repo.backup();
  const laterKey = (await repo.publish((await repo.add("/b.csv", bytes("bbbbb"))).id)).contentKey;
  await repo.close();
  const restored = await Repository.restore(uri, snapshot, { force: true });
  return { laterKey, restored };
}
