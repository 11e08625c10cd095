/**
 * A SQLite catalog opened from another host is refused, and its error gave
 * the way on as "use it from that host, or move the catalog to PostgreSQL
 * (vc repo backup, then vc repo restore SNAPSHOT --catalog postgres://…)":
 * run where it was read, that `vc repo backup` is refused with the same
 * error, since a backup opens the catalog. The move's first step is taken
 * on the catalog's host (the restore may then run on any host that reaches
 * the snapshot and the store), and the error now says so.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { WrongHostError } from "../src/repo/marker.ts";
import { withFlagNames } from "../src/cli/errors.ts";

Deno.test("a SQLite catalog of another host: the move to PostgreSQL is said to start on that host", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_wrong_host_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    await (await Repository.init(uri, { host: "host-a" })).close();
    const error = await assertRejects(
      () => Repository.open(uri, { host: "host-b" }),
      WrongHostError,
    );
    // The backup that starts the move is refused on host-b as the open is.
    await assertRejects(
      async () => await (await Repository.open(uri, { host: "host-b" })).backup(),
      WrongHostError,
    );
    assertStringIncludes(error.message, "on host host-a, move the catalog to PostgreSQL");
    assertStringIncludes(
      withFlagNames(error.message),
      "on host host-a, move the catalog to PostgreSQL (vc repo backup, then vc repo restore",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
