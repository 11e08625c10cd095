import { assert } from "./assert.ts";
import { appendRecord, keepJournalsOpen, lookupRecord } from "../src/cache/record_journal.ts";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { withTempDir } from "./versioned_helpers.ts";

function openFds(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

Deno.test({
  name: "record journals kept open while downloads overlap stay bounded in number",
  ignore: Deno.build.os !== "linux",
  fn: () =>
    withTempDir((dir) => {
      const before = openFds();
      // A long-running process whose downloads always overlap never lets the
      // keep-open count reach zero: one journal per directory downloaded into.
      const done = keepJournalsOpen();
      try {
        for (let i = 0; i < 500; i++) {
          const journal = `${dir}/.meta/d${i}/%records.jsonl`;
          appendRecord(journal, "k.bin", {
            uri: `s3://b/d${i}/k.bin`,
            etag: "e",
            size: 1,
            validatedAt: 0,
          });
        }
        const grown = openFds() - before;
        assert(grown <= 100, `${grown} descriptors held for 500 journals`);
        for (let i = 0; i < 500; i += 50) {
          const found = lookupRecord(`${dir}/.meta/d${i}/%records.jsonl`, "k.bin");
          assert(found.kind === "record", `d${i} still readable`);
        }
      } finally {
        done();
        forgetRecords();
      }
      return Promise.resolve();
    }, "vc-handles-"),
});
