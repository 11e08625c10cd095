/**
 * Self (or inclusive) time by function of `--cpu-prof` profiles, per
 * profile: what a round of issue 11 reads first, in one command.
 *
 *     deno run --allow-read scripts/bench/cpuprofile_self.ts DIR [--inclusive] [--top N] [--grep TEXT]
 *       [--by-file] [--against DIR2]
 *
 * `DIR` holds the `.cpuprofile` files of several runs of one shape (for
 * example `deno run --cpu-prof --cpu-prof-dir=DIR --cpu-prof-interval=100
 * cli.ts prefill ...`); each row is a function and its file and line, its
 * time the mean over the profiles in ms. The first line splits the samples
 * into idle, `(program)`, GC, Deno's ops, Deno's own JavaScript and vc's.
 * A sample's time is the gap to the next one, at most 3 × the usual
 * interval: on a loaded machine a process taken off the CPU makes one gap of
 * tens of ms, which was charged to whatever function it stopped in.
 * `--inclusive` charges each function with every sample under it (once per
 * sample, recursion included). `--by-file` sums the self time of each
 * source file (module) instead: the layer view. `--against DIR2` puts the
 * profiles of a second shape beside the first (for example the guarded floor,
 * `raw_fetch.ts guarded`, against `vc prefill --list`): each row then shows
 * both and the difference, largest difference first, so what the first shape
 * spends beyond the second reads in one command.
 *
 * @module
 */

/** One node of a `.cpuprofile`. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** The parts of a `.cpuprofile` read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What {@linkcode summarize} makes of profiles: ms per profile. */
export interface ProfileSummary {
  profiles: number;
  /** All samples, idle included. */
  total: number;
  /** `idle`, `program`, `gc`, `ops`, `deno` (Deno's JavaScript), `vc`, `other`. */
  kinds: Map<string, number>;
  /** `function file:line` → time. */
  rows: Map<string, number>;
}

function label(node: ProfileNode, root: string): string {
  const url = node.callFrame.url.startsWith(root)
    ? node.callFrame.url.slice(root.length)
    : node.callFrame.url;
  const name = node.callFrame.functionName || "(anonymous)";
  return url === "" ? name : `${name} ${url}:${node.callFrame.lineNumber + 1}`;
}

function kind(node: ProfileNode, root: string): string {
  const { functionName, url } = node.callFrame;
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "program";
  if (functionName === "(garbage collector)") return "gc";
  if (functionName.startsWith("op_")) return "ops";
  if (url.startsWith("ext:")) return "deno";
  if (url.startsWith(root)) return "vc";
  return "other";
}

/**
 * Self (or, `inclusive`, inclusive) time by function of `profiles`, in ms
 * per profile; `root` (a `file://` URL ending in `/`) is cut from the
 * names and tells vc's code from the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./cpuprofile_self.ts";
 * const frame = (functionName: string) => ({ functionName, url: "file:///r/a.ts", lineNumber: 0 });
 * const profile = {
 *   nodes: [{ id: 1, callFrame: frame("outer"), children: [2] }, { id: 2, callFrame: frame("inner") }],
 *   samples: [2, 1, 2],
 *   timeDeltas: [0, 100, 100],
 * };
 * const self = summarize([profile], "file:///r/");
 * assert.equal(self.rows.get("inner a.ts:1"), 0.1);
 * assert.equal(summarize([profile], "file:///r/", true).rows.get("outer a.ts:1"), 0.2);
 * ```
 */
export function summarize(
  profiles: readonly CpuProfile[],
  root: string,
  inclusive = false,
): ProfileSummary {
  const rows = new Map<string, number>();
  const kinds = new Map<string, number>();
  let total = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const usual = median(p.timeDeltas.filter((d) => d > 0));
    for (let i = 0; i < p.samples.length; i++) {
      const next = p.timeDeltas[i + 1];
      if (next === undefined) continue;
      const ms = Math.min(next, 3 * usual) / 1000;
      const node = byId.get(p.samples[i]!);
      if (node === undefined) continue;
      total += ms;
      const k = kind(node, root);
      kinds.set(k, (kinds.get(k) ?? 0) + ms);
      if (!inclusive) {
        const key = label(node, root);
        rows.set(key, (rows.get(key) ?? 0) + ms);
        continue;
      }
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        seen.add(label(byId.get(id)!, root));
      }
      for (const key of seen) rows.set(key, (rows.get(key) ?? 0) + ms);
    }
  }
  const n = Math.max(profiles.length, 1);
  const per = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / n]));
  return { profiles: profiles.length, total: total / n, kinds: per(kinds), rows: per(rows) };
}

/**
 * The self-time rows of {@linkcode summarize} summed by source file: a
 * function's row `name file:line` counts for `file`; a row with no file
 * (idle, GC, an op) stays as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { byFile } from "./cpuprofile_self.ts";
 * const rows = new Map([["a src/x.ts:1", 1], ["b src/x.ts:9", 2], ["(garbage collector)", 4]]);
 * assert.deepEqual(byFile(rows), new Map([["src/x.ts", 3], ["(garbage collector)", 4]]));
 * ```
 */
export function byFile(rows: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, ms] of rows) {
    const file = /^.* (\S+):\d+$/.exec(key)?.[1] ?? key;
    out.set(file, (out.get(file) ?? 0) + ms);
  }
  return out;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (import.meta.main) {
  const args = [...Deno.args];
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args.splice(i, 2)[1];
  };
  const top = Number(flag("--top") ?? 40);
  const grep = flag("--grep");
  const against = flag("--against");
  const inclusive = args.includes("--inclusive");
  const files = args.includes("--by-file");
  const dir = args.find((a) => !a.startsWith("--"));
  if (dir === undefined) {
    throw new Error(
      "usage: cpuprofile_self.ts DIR [--inclusive] [--top N] [--grep TEXT] [--by-file] [--against DIR2]",
    );
  }
  const read = async (d: string): Promise<CpuProfile[]> => {
    const profiles: CpuProfile[] = [];
    for await (const e of Deno.readDir(d)) {
      if (!e.name.endsWith(".cpuprofile")) continue;
      profiles.push(JSON.parse(await Deno.readTextFile(`${d}/${e.name}`)) as CpuProfile);
    }
    return profiles;
  };
  const root = new URL("../../", import.meta.url).href;
  const fmt = (ms: number) => ms.toFixed(2).padStart(8);
  const head = (s: ProfileSummary) =>
    `${s.profiles} profiles, ${s.total.toFixed(1)} ms each: ` +
    [...s.kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  const rowsOf = (s: ProfileSummary) => files ? byFile(s.rows) : s.rows;
  const s = summarize(await read(dir), root, inclusive);
  console.log(head(s));
  const shown = (k: string) => grep === undefined || k.includes(grep);
  if (against === undefined) {
    const rows = [...rowsOf(s)].filter(([k]) => shown(k));
    for (const [k, v] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(fmt(v), k);
  } else {
    const b = summarize(await read(against), root, inclusive);
    console.log(`against ${head(b)}`);
    const x = rowsOf(s);
    const y = rowsOf(b);
    const keys = [...new Set([...x.keys(), ...y.keys()])].filter(shown);
    const diff = (k: string) => (x.get(k) ?? 0) - (y.get(k) ?? 0);
    console.log(`${"first".padStart(8)} ${"second".padStart(8)} ${"diff".padStart(8)}`);
    for (const k of keys.sort((p, q) => diff(q) - diff(p)).slice(0, top)) {
      console.log(`${fmt(x.get(k) ?? 0)} ${fmt(y.get(k) ?? 0)} ${fmt(diff(k))} ${k}`);
    }
  }
}
