/**
 * What one cold small object costs, step by step, on the main thread: the
 * bare loop's steps (`raw_fetch.ts`: unsigned GET, temp file, write,
 * fdatasync, rename) and the steps vc adds for its guarantees (a signed and
 * parsed GET, the MD5 check, the cross-process lock, the lock's identity
 * check, the commit by a link and the temp name's removal, the record line,
 * the looks at the journal before and under the lock),
 * each timed alone over N objects in a child process with vc's release
 * permission flags (which change what Deno does per path). The sum of vc's
 * added steps over the bare loop's is the floor of vc's per-object cost
 * relative to the bare loop, whatever the code around the steps does:
 * printed as a ratio, beside the issue 11 goal (1.3×).
 *
 *     deno run -A scripts/bench/cold_steps.ts [--quick]
 *
 * @module
 */
import { JsMd5 } from "../../src/md5_js.ts";
import { appendRecord, keepJournalsOpen, lookupRecord } from "../../src/cache/record_journal.ts";
import { openStore } from "../../src/store/open.ts";
import {
  FakeServer,
  fmtNum,
  KiB,
  parseBenchArgs,
  putObjects,
  Report,
  ROOT,
  tempDir,
  timed,
  VC_FLAGS,
} from "./lib.ts";

const SIZE = 4 * KiB;
const BUCKET = "steps";

/** One step: its name, whose it is, and µs per object. */
interface Step {
  name: string;
  who: "bare loop" | "vc";
  us: number;
}

/** Times each step over `keys` (run in the child, with vc's flags). */
async function measure(url: string, keys: string[], dir: string): Promise<Step[]> {
  const n = keys.length;
  const steps: Step[] = [];
  const time = (name: string, who: Step["who"], fn: (i: number) => void) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    steps.push({ name, who, us: (performance.now() - t) / n * 1000 });
  };
  const timeAsync = async (
    name: string,
    who: Step["who"],
    fn: (i: number) => Promise<unknown>,
    inFlight = 16,
  ) => {
    const t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < n) await fn(next++);
    }));
    steps.push({ name, who, us: (performance.now() - t) / n * 1000 });
  };
  const bodies: Uint8Array[] = new Array(n);
  await timeAsync("GET, unsigned fetch + arrayBuffer (16 in flight)", "bare loop", async (i) => {
    const res = await fetch(`${url}/${BUCKET}/${keys[i]}`);
    bodies[i] = new Uint8Array(await res.arrayBuffer());
  });
  const files: Deno.FsFile[] = new Array(n);
  time("temp file: open with O_EXCL", "bare loop", (i) => {
    files[i] = Deno.openSync(`${dir}/.f${i}.tmp`, { read: true, write: true, createNew: true });
  });
  time("write 4 KiB", "bare loop", (i) => files[i]!.writeSync(bodies[i]!));
  const syncs: Promise<void>[] = new Array(n);
  time("fdatasync started (its main-thread part)", "bare loop", (i) => {
    syncs[i] = files[i]!.syncData();
  });
  await Promise.all(syncs);
  time(
    "rename into place",
    "bare loop",
    (i) => Deno.renameSync(`${dir}/.f${i}.tmp`, `${dir}/f${i}`),
  );
  time("close", "bare loop", (i) => files[i]!.close());

  const store = await openStore(`s3://${BUCKET}/`, {
    s3: {
      endpoint: url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    },
  });
  try {
    await timeAsync("GET, signed S3Store.get with object info (16 in flight)", "vc", async (i) => {
      const r = await store.get(keys[i]!);
      if (r.bytes === undefined) await new Response(r.body).arrayBuffer();
    });
  } finally {
    await store.close();
  }
  // The GET above replaces the bare one: only its difference is vc's.
  const bare = steps.find((s) => s.who === "bare loop" && s.name.startsWith("GET"))!;
  const signed = steps.at(-1)!;
  signed.us -= bare.us;
  signed.name =
    "GET: S3Store.get (signed, object info parsed; vc's HTTP/1.1 client to a plain-http endpoint) minus the unsigned fetch";

  time("MD5 of 4 KiB (TypeScript, as a small body is checked)", "vc", (i) => {
    new JsMd5().update(bodies[i]!).digest("hex");
  });
  const locked: Deno.FsFile[] = new Array(n);
  for (let i = 0; i < n; i++) {
    locked[i] = Deno.openSync(`${dir}/.l${i}.tmp`, { read: true, write: true, createNew: true });
  }
  time("lock: flock of the temp file", "vc", (i) => locked[i]!.tryLockSync(true));
  time("lock's identity check: fstat of the handle", "vc", (i) => locked[i]!.statSync());
  time(
    "lock's identity check: lstat of the temp path",
    "vc",
    (i) => Deno.lstatSync(`${dir}/.l${i}.tmp`),
  );
  // vc commits by a link (the temp name stays until the record is written)
  // and then removes the temp name, where the bare loop renames.
  const rename = steps.find((s) => s.who === "bare loop" && s.name.startsWith("rename"))!;
  time("commit: link into place", "vc", (i) => Deno.linkSync(`${dir}/.l${i}.tmp`, `${dir}/g${i}`));
  const link = steps.at(-1)!;
  time(
    "remove the temp name (after the record)",
    "vc",
    (i) => Deno.removeSync(`${dir}/.l${i}.tmp`),
  );
  const unlink = steps.pop()!;
  link.us += unlink.us - rename.us;
  link.name = "commit: link into place, then remove the temp name, minus the bare rename";
  for (const f of locked) f.close();
  const journal = `${dir}/.meta/%records.jsonl`;
  const done = keepJournalsOpen();
  try {
    time("record line appended to the journal (kept open)", "vc", (i) => {
      appendRecord(journal, `f${i}`, {
        uri: `s3://${BUCKET}/${keys[i]}`,
        etag: "0123456789abcdef0123456789abcdef",
        size: SIZE,
        md5: "0123456789abcdef0123456789abcdef",
        validatedAt: Date.now(),
      });
    });
    time("first look: the journal's record of a new name", "vc", (i) => {
      lookupRecord(journal, `new${i}`);
    });
    time("look again under the lock: the journal's record of a new name", "vc", (i) => {
      lookupRecord(journal, `again${i}`);
    });
  } finally {
    done();
  }
  return steps;
}

/** Runs the benchmark; returns the report. */
export async function run(args: { quick: boolean }): Promise<Report> {
  const report = new Report("cold_steps");
  const count = args.quick ? 200 : 1000;
  await using tmp = await tempDir("steps");
  await using server = await FakeServer.start({ buckets: [BUCKET] });
  const keys = Array.from({ length: count }, (_, i) => `d/f${String(i).padStart(4, "0")}.bin`);
  await putObjects(server.url, BUCKET, keys, SIZE);
  const keysFile = `${tmp.path}/keys.txt`;
  await Deno.writeTextFile(keysFile, keys.join("\n") + "\n");
  const r = await timed(Deno.execPath(), [
    "run",
    ...VC_FLAGS,
    `${ROOT}scripts/bench/cold_steps.ts`,
    "--child",
    server.url,
    keysFile,
    tmp.path,
  ], { env: server.env });
  const steps = JSON.parse(r.stdout) as Step[];
  let bare = 0;
  let added = 0;
  for (const s of steps) {
    report.info(`[${s.who}] ${s.name}: ${fmtNum(s.us)} µs/object`);
    if (s.who === "bare loop") bare += s.us;
    else added += s.us;
  }
  report.info(
    `per object: the bare loop's steps ${fmtNum(bare)} µs, vc's added steps ${fmtNum(added)} µs ` +
      `(vc's own code around them not counted)`,
  );
  report.goal(
    "floor of vc's per-object cost / the bare loop's (steps alone)",
    (bare + added) / bare,
    "×",
    "<=",
    1.3,
    `${fmtNum(bare + added)} µs against ${fmtNum(bare)} µs per object`,
  );
  return report;
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    const [, url, keysFile, dir] = Deno.args;
    const keys = (await Deno.readTextFile(keysFile!)).split("\n").filter((l) => l !== "");
    console.log(JSON.stringify(await measure(url!, keys, dir!)));
  } else {
    const args = parseBenchArgs(Deno.args);
    const report = await run(args);
    await report.finish(args);
  }
}
