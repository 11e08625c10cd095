/**
 * A repository's catalog backup and restore on SQLite, against bare
 * `node:sqlite` doing the same work with none of vc's checks, in the same
 * run:
 *
 * - check: `readSnapshot` (gunzip, parse and check every line) against a
 *   bare gunzip + `JSON.parse` of each line;
 * - restore: `restoreCatalog` of the checked snapshot (it reads the
 *   snapshot again, checks it again and inserts each row) against a bare
 *   gunzip + `JSON.parse` + one prepared `INSERT` per row into the same
 *   schema, in one transaction;
 * - backup: `snapshotCatalog` against a bare `SELECT` of each table +
 *   `JSON.stringify` of each row + gzip.
 *
 * Times are CPU times (user + system) of this process: the machines it runs
 * on are shared. Goal: each step within 3× its bare peer (vc checks every field, keeps
 * memory bounded and reads the snapshot twice, so never 1×).
 *
 *     deno run -A scripts/bench/repo_restore.ts [--quick] [--records N]   # 100,000; 20,000 quick
 *
 * On PostgreSQL (when installed: a throwaway server, as the tests start),
 * `restoreCatalog` against bare postgres.js INSERTs of the same rows, as
 * many a statement as vc sends, in wall time (the server's work is most of
 * it) with this process's CPU beside it; the backup's times are printed.
 *
 * With `--profile-step check|restore|backup` it runs that vc step alone
 * (after the setup), for `deno run -A --cpu-prof …`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import process from "node:process";
import { createSchema } from "../../src/repo/schema.ts";
import { openSqliteCatalog } from "../../src/repo/sqlite_catalog.ts";
import { readSnapshot, restoreCatalog, snapshotCatalog } from "../../src/repo/backup.ts";
import { RECORD_FIELDS } from "../../src/repo/backup_lines.ts";
import { spellingKey } from "../../src/unicode_spelling.ts";
import { openPostgresCatalog } from "../../src/repo/postgres_catalog.ts";
import { havePostgres, startPgServer } from "../../tests/pg_server.ts";
import { fmtNum, parseBenchNumbers, Report, tempDir } from "./lib.ts";

/** A generated snapshot of `records` records, half of them tagged, and a path tag per 100. */
export async function makeSnapshot(records: number): Promise<Uint8Array> {
  const lines = [JSON.stringify({ format: "vc-repo-backup", version: 2 })];
  let recordTags = 0;
  let pathTags = 0;
  for (let id = 1; id <= records; id++) {
    lines.push(JSON.stringify({
      record: {
        id,
        path: `/data/run-${id % 997}/file-${id}.csv`,
        state: "published",
        content_key: `content/${
          (id % 256).toString(16).padStart(2, "0")
        }/${crypto.randomUUID()}.csv`,
        size: id * 13,
        md5: "0123456789abcdef0123456789abcdef",
        origin_host: "build-host-1",
        created_at: 1_760_000_000_000 + id,
        published_at: 1_760_000_000_500 + id,
        expired_at: null,
        purged_at: null,
        claimed_by: null,
        claim_until: null,
      },
    }));
  }
  for (let id = 1; id <= records; id += 2) {
    lines.push(JSON.stringify({ recordTag: [id, "todo"] }));
    recordTags++;
  }
  for (let i = 0; i < records / 100; i++) {
    lines.push(JSON.stringify({ pathTag: [`/data/run-${i}/file-${i}.csv`, "keep"] }));
    pathTags++;
  }
  lines.push(JSON.stringify({ end: { records, recordTags, pathTags } }));
  return await gzip(lines.join("\n") + "\n");
}

async function gzip(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await new Response(
      new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
}

// The snapshot's lines, gunzipped and parsed as they come: no checks.
async function* bareLines(snapshot: Uint8Array): AsyncGenerator<Record<string, unknown>> {
  const reader = new Blob([snapshot as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += value;
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf("\n", start)) !== -1) {
      yield JSON.parse(pending.slice(start, nl));
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
}

// A new SQLite catalog at `path` with vc's schema, closed.
async function emptyCatalog(path: string): Promise<void> {
  const catalog = await openSqliteCatalog(path, { create: true });
  try {
    await catalog.transaction("write", (tx) => createSchema(tx, catalog.dialect));
  } finally {
    await catalog.close();
  }
}

// The bare restore: gunzip, JSON.parse, one prepared INSERT per row, one transaction.
async function bareRestore(snapshot: Uint8Array, path: string): Promise<number> {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  const records = db.prepare(
    `INSERT INTO records (${[...RECORD_FIELDS, "path_key"].join(", ")}) VALUES (${
      [...RECORD_FIELDS, "path_key"].map(() => "?").join(", ")
    })`,
  );
  const recordTags = db.prepare(
    "INSERT INTO record_tags (record_id, tag, tag_key) VALUES (?, ?, ?)",
  );
  const pathTags = db.prepare(
    "INSERT INTO path_tags (path, tag, path_key, tag_key) VALUES (?, ?, ?, ?)",
  );
  let n = 0;
  db.exec("BEGIN IMMEDIATE");
  try {
    for await (const line of bareLines(snapshot)) {
      if ("record" in line) {
        const r = line.record as Record<string, string | number | null>;
        records.run(...RECORD_FIELDS.map((f) => r[f] ?? null), spellingKey(String(r.path)));
      } else if ("recordTag" in line) {
        const [id, tag] = line.recordTag as [number, string];
        recordTags.run(id, tag, spellingKey(tag));
      } else if ("pathTag" in line) {
        const [p, tag] = line.pathTag as [string, string];
        pathTags.run(p, tag, spellingKey(p), spellingKey(tag));
      } else continue;
      n++;
    }
    db.exec("COMMIT");
  } finally {
    if (db.isTransaction) db.exec("ROLLBACK");
    db.close();
  }
  return n;
}

// The bare backup: every row of the three tables, JSON.stringify, gzip
// streamed to the file in 256 KiB pieces (as vc writes it).
async function bareBackup(path: string, out: string): Promise<number> {
  const db = new DatabaseSync(path);
  const file = await Deno.open(out, { write: true, create: true, truncate: true });
  const gz = new CompressionStream("gzip");
  const piped = gz.readable.pipeTo(file.writable);
  const writer = gz.writable.getWriter();
  const encoder = new TextEncoder();
  let pending = "";
  let n = 0;
  const line = async (text: string) => {
    pending += text + "\n";
    n++;
    if (pending.length >= 256 * 1024) {
      await writer.write(encoder.encode(pending));
      pending = "";
    }
  };
  try {
    db.exec("BEGIN");
    const select = (sql: string) => db.prepare(sql).all();
    for (const r of select(`SELECT ${RECORD_FIELDS.join(", ")} FROM records ORDER BY id`)) {
      await line(JSON.stringify({ record: r }));
    }
    for (const t of select("SELECT record_id, tag FROM record_tags ORDER BY record_id, tag")) {
      await line(JSON.stringify({ recordTag: [t.record_id, t.tag] }));
    }
    for (const t of select("SELECT path, tag FROM path_tags ORDER BY path, tag")) {
      await line(JSON.stringify({ pathTag: [t.path, t.tag] }));
    }
    db.exec("COMMIT");
    await writer.write(encoder.encode(pending));
    await writer.close();
    await piped;
  } finally {
    db.close();
  }
  return n;
}

// CPU time (user + system, ms) of `fn`: the machine this runs on is
// shared, and wall time there measures the other jobs as much as this one.
async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const c0 = process.cpuUsage();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / 1000, result];
}

// The bare PostgreSQL restore: gunzip, JSON.parse, INSERTs of as many rows
// as vc sends in one (2,000 parameters), one transaction, through the same
// driver (postgres.js) into the same schema.
async function bareRestorePg(snapshot: Uint8Array, url: string): Promise<number> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  let n = 0;
  try {
    await sql.begin(async (tx) => {
      const tables = {
        records: [...RECORD_FIELDS, "path_key"],
        record_tags: ["record_id", "tag", "tag_key"],
        path_tags: ["path", "tag", "path_key", "tag_key"],
      } as const;
      const pending: Record<keyof typeof tables, (string | number | null)[][]> = {
        records: [],
        record_tags: [],
        path_tags: [],
      };
      const flush = async (table: keyof typeof tables) => {
        const rows = pending[table];
        if (rows.length === 0) return;
        const cols = tables[table];
        const values = rows.map((_, r) =>
          `(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(", ")})`
        );
        await tx.unsafe(
          `INSERT INTO ${table} (${cols.join(", ")}) VALUES ${values.join(", ")}`,
          rows.flat(),
        );
        n += rows.length;
        pending[table] = [];
      };
      const add = async (table: keyof typeof tables, row: (string | number | null)[]) => {
        pending[table].push(row);
        if (pending[table].length >= Math.floor(2_000 / tables[table].length)) await flush(table);
      };
      for await (const line of bareLines(snapshot)) {
        if ("record" in line) {
          const r = line.record as Record<string, string | number | null>;
          await add("records", [...RECORD_FIELDS.map((f) => r[f] ?? null), null]);
        } else if ("recordTag" in line) {
          await flush("records");
          const [id, tag] = line.recordTag as [number, string];
          await add("record_tags", [id, tag, null]);
        } else if ("pathTag" in line) {
          const [p, tag] = line.pathTag as [string, string];
          await add("path_tags", [p, tag, null, null]);
        }
      }
      for (const table of ["records", "record_tags", "path_tags"] as const) await flush(table);
    });
  } finally {
    await sql.end({ timeout: 1 });
  }
  return n;
}

// Wall and CPU time (ms) of `fn`: on PostgreSQL the server does much of the work.
async function wallAndCpu<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return [performance.now() - t0, (c.user + c.system) / 1000, result];
}

// PostgreSQL: vc's restore (into an empty database each round) against the
// bare one, wall time (the server's work is most of it) and this process's CPU.
async function runPostgres(
  report: Report,
  snapshot: Uint8Array,
  n: number,
  rows: number,
  rounds: number,
) {
  await using pg = await startPgServer();
  const vc = { wall: [] as number[], cpu: [] as number[] };
  const bare = { wall: [] as number[], cpu: [] as number[] };
  const backup = { wall: [] as number[], cpu: [] as number[] };
  const checked = await readSnapshot(snapshot);
  for (let round = 0; round < rounds; round++) {
    const bareUrl = await pg.createDatabase(`bare${round}`);
    const schema = await openPostgresCatalog(bareUrl);
    try {
      await schema.transaction("write", (tx) => createSchema(tx, schema.dialect));
    } finally {
      await schema.close();
    }
    const [bw, bc, written] = await wallAndCpu(() => bareRestorePg(snapshot, bareUrl));
    if (written !== rows) throw new Error(`bare PostgreSQL restore wrote ${written} rows`);
    bare.wall.push(bw);
    bare.cpu.push(bc);
    const catalog = await openPostgresCatalog(await pg.createDatabase(`vc${round}`));
    try {
      const [vw, vcpu, counts] = await wallAndCpu(() => restoreCatalog(catalog, checked));
      if (counts.records !== n) throw new Error(`restored ${counts.records} records`);
      vc.wall.push(vw);
      vc.cpu.push(vcpu);
      const out = await Deno.makeTempFile({ prefix: "vc-bench-repo-restore-pg-" });
      try {
        const [kw, kc] = await wallAndCpu(() => snapshotCatalog(catalog, { createdAt: "x" }, out));
        backup.wall.push(kw);
        backup.cpu.push(kc);
      } finally {
        await Deno.remove(out);
      }
    } finally {
      await catalog.close();
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  const s = (xs: number[]) => xs.map((x) => fmtNum(x / 1000)).join(", ");
  report.goal(
    "PostgreSQL restore wall time vs bare postgres.js INSERTs",
    best(vc.wall) / best(bare.wall),
    "×",
    "<=",
    3,
    `vc ${s(vc.wall)} s (CPU here ${s(vc.cpu)} s; checks and ANALYZE), bare ${s(bare.wall)} s ` +
      `(CPU ${s(bare.cpu)} s); ${fmtNum(n)} records, ${fmtNum(rows)} rows; backup ${
        s(backup.wall)
      } s (CPU ${s(backup.cpu)} s)`,
  );
}

/** Runs the benchmark; returns the report. */
export async function run(
  args: { quick: boolean; records?: number; profileStep?: string },
): Promise<Report> {
  const report = new Report("repo_restore");
  const n = args.records ?? (args.quick ? 20_000 : 100_000);
  await using dir = await tempDir("repo-restore");
  const snapshot = await makeSnapshot(n);
  const rows = n + Math.ceil(n / 2) + Math.ceil(n / 100);
  const step = args.profileStep;
  if (step !== undefined) {
    const path = `${dir.path}/vc.sqlite`;
    await emptyCatalog(path);
    const catalog = await openSqliteCatalog(path);
    try {
      const checked = await readSnapshot(snapshot);
      if (step === "restore" || step === "backup") await restoreCatalog(catalog, checked);
      if (step === "backup") {
        await snapshotCatalog(catalog, { createdAt: "x" }, `${dir.path}/b.jsonl.gz`);
      }
    } finally {
      await catalog.close();
    }
    return report;
  }
  const vc = { check: [] as number[], restore: [] as number[], backup: [] as number[] };
  const bare = { check: [] as number[], restore: [] as number[], backup: [] as number[] };
  const rounds = args.quick ? 2 : 3;
  for (let round = 0; round < rounds; round++) {
    // Interleaved: the machine is shared.
    const [bareCheck] = await time(async () => {
      let k = 0;
      for await (const _ of bareLines(snapshot)) k++;
      return k;
    });
    bare.check.push(bareCheck);
    const [vcCheck, checked] = await time(() => readSnapshot(snapshot));
    vc.check.push(vcCheck);

    const barePath = `${dir.path}/bare-${round}.sqlite`;
    await emptyCatalog(barePath);
    const [bareWrite, bareRows] = await time(() => bareRestore(snapshot, barePath));
    bare.restore.push(bareWrite);
    if (bareRows !== rows) throw new Error(`bare restore wrote ${bareRows} rows, not ${rows}`);

    const vcPath = `${dir.path}/vc-${round}.sqlite`;
    await emptyCatalog(vcPath);
    const catalog = await openSqliteCatalog(vcPath);
    try {
      const [vcWrite, counts] = await time(() => restoreCatalog(catalog, checked));
      vc.restore.push(vcWrite);
      if (counts.records !== n) throw new Error(`restored ${counts.records} records, not ${n}`);
      const [bareRead] = await time(() => bareBackup(barePath, `${dir.path}/bare-${round}.gz`));
      bare.backup.push(bareRead);
      const [vcRead] = await time(() =>
        snapshotCatalog(catalog, { createdAt: "x" }, `${dir.path}/vc-${round}.jsonl.gz`)
      );
      vc.backup.push(vcRead);
    } finally {
      await catalog.close();
    }
  }
  const best = (xs: number[]) => Math.min(...xs);
  for (const name of ["check", "restore", "backup"] as const) {
    const v = best(vc[name]);
    const b = best(bare[name]);
    report.goal(
      `${name} CPU time vs bare node:sqlite`,
      v / b,
      "×",
      "<=",
      3,
      `vc ${fmtNum(v / 1000)} s, bare ${fmtNum(b / 1000)} s (best of ${rounds}; ${
        fmtNum(n)
      } records, ${fmtNum(rows)} rows; vc all: ${
        vc[name].map((x) => fmtNum(x / 1000)).join(", ")
      })`,
    );
  }
  if (havePostgres) await runPostgres(report, snapshot, n, rows, rounds);
  else console.log("[repo_restore] PostgreSQL (initdb, pg_ctl) not installed: its part not run");
  return report;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--profile-step");
  const profileStep = at === -1 ? undefined : Deno.args[at + 1];
  const args = parseBenchNumbers(
    at === -1 ? Deno.args : Deno.args.toSpliced(at, 2),
    { records: [100_000, 20_000] },
  );
  const report = await run({
    quick: args.quick,
    records: args.numbers.records,
    ...(profileStep === undefined ? {} : { profileStep }),
  });
  if (profileStep === undefined) await report.finish(args);
}
