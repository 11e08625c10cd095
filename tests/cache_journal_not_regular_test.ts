/**
 * Issue 11 layout against a damaged cache: a record journal that is not a
 * regular file (a directory where `%records.jsonl` belongs) is named as
 * such, not blamed on colliding S3 keys, and nothing is left without a record.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a journal that is a directory: the error names the journal, not another key", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/d/x.csv", "x");
  await ws.write("bucket/d/y.csv", "y");
  const first = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
  assert(first.code === 0, first.stderr);
  const journals: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(`${dir}/${e.name}`);
      else if (e.name === "%records.jsonl") journals.push(`${dir}/${e.name}`);
    }
  };
  walk(`${ws.cacheDir}/.meta`);
  const journal = journals[0];
  assert(journals.length === 1 && journal !== undefined, JSON.stringify(journals));
  await Deno.remove(journal);
  await Deno.mkdir(journal);
  const second = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
  assert(second.code === 1, second.stdout);
  assertStringIncludes(second.stderr, journal);
  assertStringIncludes(second.stderr, "in the cache's records has the wrong type");
  assert(!second.stderr.includes("another key"), second.stderr);
  // Nothing cached without a record.
  const data = second.stderr.match(/cached at ([^)]*)\)/)?.[1];
  assert(data !== undefined, second.stderr);
  assert(await Deno.lstat(data).then(() => false, () => true), `${data} was left`);
});

Deno.test({
  name:
    "a journal that is a FIFO: refused with its name, no record lost into it (ignored on Windows: no mkfifo)",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    await ws.write("bucket/d/x.csv", "x");
    await ws.write("bucket/d/y.csv", "y");
    const first = await ws.run(["cache", "get", `${ws.bucket}/d/x.csv`]);
    assert(first.code === 0, first.stderr);
    const dataDir = first.stdout.trim().replace(/\/x\.csv$/, "");
    const journal = `${dataDir.replace(ws.cacheDir, `${ws.cacheDir}/.meta`)}/%records.jsonl`;
    await Deno.remove(journal);
    const made = await new Deno.Command("mkfifo", { args: [journal] }).output();
    assert(made.success, "mkfifo");
    const second = await ws.run(["cache", "get", `${ws.bucket}/d/y.csv`]);
    assert(second.code === 1, second.stdout);
    assertStringIncludes(second.stderr, journal);
    assertStringIncludes(second.stderr, "not a regular file");
    assert(
      await Deno.lstat(`${dataDir}/y.csv`).then(() => false, () => true),
      "data without record",
    );
  },
});
