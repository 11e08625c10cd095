/**
 * A message that suggests a command naming a local path quotes the path as
 * a shell reads it back ({@linkcode shellWord}). Pasted as printed, the
 * mirror's `rm -r /srv/my data` removed `/srv/my` and `./data`, not the
 * target; `chmod o-w /tmp/shared cache` and `mkdir -p /srv/vc store` acted
 * on two other paths. A word starting with `~` is quoted too: bash expands
 * `~/x.csv` to a file in the home directory, and `~backup/x.csv` to one in
 * the home of the user `backup`.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { openToEveryUser } from "../src/cache/cache_dir.ts";
import { pgpassIgnored } from "../src/repo/postgres_catalog.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { addToken } from "../src/server/mod.ts";
import { shellWord } from "../src/shell_word.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test("mirror --delete from an empty source names rm -r of the target quoted", async () => {
  await using w = await tempDir();
  const local = join(w.dir, "my data");
  await writeTree(local, { "a.txt": "a" });
  await Deno.mkdir(join(w.dir, "store"));
  const r = await mirror({
    sources: [new FsStore(join(w.dir, "store"))],
    target: local,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  assertEquals(r.deleted, 0);
  assertStringIncludes(r.deletesSkipped ?? "", `(rm -r '${local}')`);
});

Deno.test({
  name: "a cache dir and a .pgpass open to others name a chmod of the quoted path",
  ignore: Deno.build.os === "windows", // access there is an ACL's, not a mode's
  async fn() {
    await using w = await tempDir();
    const cacheDir = join(w.dir, "shared cache");
    await Deno.mkdir(cacheDir);
    await Deno.chmod(cacheDir, 0o777);
    assertStringIncludes(openToEveryUser(cacheDir) ?? "", `run chmod o-w '${cacheDir}' `);
    const pgpass = join(w.dir, "my pgpass");
    await Deno.writeTextFile(pgpass, "db:5432:vc:vc:secret\n");
    await Deno.chmod(pgpass, 0o644);
    assertStringIncludes(await pgpassIgnored(pgpass, "linux") ?? "", `chmod 0600 '${pgpass}'`);
  },
});

Deno.test("serve: a missing file:// store directory names mkdir -p of it quoted", async () => {
  await using w = await tempDir();
  const stop = new AbortController();
  const tokenFile = join(w.dir, "tokens.json");
  await addToken(tokenFile, "alice");
  const missing = join(w.dir, "vc store");
  const io = memoryIo({ cwd: w.dir, env: { HOME: join(w.dir, "home") }, signal: stop.signal });
  const args = ["serve", "--store", `file://${missing.replaceAll(" ", "%20")}`];
  // Bounded: a serve that starts is stopped.
  const running = runCli(
    [...args, "--token-file", tokenFile, "--port", "0", "--sweep-interval", "0"],
    io,
  );
  const timer = setTimeout(() => stop.abort(), 20_000);
  const code = await running.finally(() => clearTimeout(timer));
  assertEquals(code, 1, io.stdout() + io.stderr());
  assertStringIncludes(io.stderr(), `(mkdir -p '${missing}')`);
});

const noBash = Deno.build.os === "windows" ||
  !(await new Deno.Command("bash", { args: ["-c", "true"], stdout: "null", stderr: "null" })
    .output().then((o) => o.success, () => false));

Deno.test({
  name: "shellWord of a word starting with ~ reads back as itself, not a home directory",
  ignore: noBash, // no bash to read the words back
  async fn() {
    for (const word of ["~/x.csv", "~root/x.csv", "~", "a~/x.csv", "data/~x.csv"]) {
      const got = await new Deno.Command("bash", {
        args: ["-c", `printf %s ${shellWord(word)}`],
        env: { HOME: "/nonexistent-home", LC_ALL: "C.UTF-8" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert(got.success, new TextDecoder().decode(got.stderr));
      assertEquals(new TextDecoder().decode(got.stdout), word, shellWord(word));
    }
    // Plain path words stay bare.
    assertEquals(shellWord("data/~x.csv"), "data/~x.csv");
  },
});
