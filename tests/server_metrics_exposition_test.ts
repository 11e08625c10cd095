/**
 * `GET /metrics` is read by Prometheus, which rejects a whole scrape over one
 * malformed line: after a mix of requests (every route, a made-up method, a
 * path with control characters, HEAD, OPTIONS, errors), the text is checked
 * against the text exposition format (0.0.4) by a small parser: HELP and TYPE
 * once per family and before its samples, metric and label names, label
 * values escaped, no duplicate series, numeric values, counters named
 * `_total` and gauges not, and one family's samples together.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"/y;

/** The problems of `text` as a Prometheus text exposition; none: `[]`. */
function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith("\n")) problems.push("does not end with a line break");
  const help = new Set<string>();
  const types = new Map<string, string>();
  const series = new Set<string>();
  const closed = new Set<string>(); // families whose samples have ended
  let current: string | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta !== null) {
      const [, kind, name, rest = ""] = meta;
      if (!NAME.test(name!)) problems.push(`bad metric name: ${line}`);
      if (kind === "HELP") {
        if (help.has(name!)) problems.push(`HELP twice: ${name}`);
        help.add(name!);
      } else {
        if (types.has(name!)) problems.push(`TYPE twice: ${name}`);
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest)) {
          problems.push(`bad type: ${line}`);
        }
        types.set(name!, rest);
      }
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) {
      problems.push(`not a sample: ${JSON.stringify(line)}`);
      continue;
    }
    const [, name, labels = "", value] = sample;
    if (!NAME.test(name!)) problems.push(`bad metric name: ${line}`);
    const type = types.get(name!);
    if (type === undefined) problems.push(`sample before its TYPE: ${line}`);
    if (type === "counter" && !name!.endsWith("_total")) {
      problems.push(`counter ${name} not _total`);
    }
    if (type === "gauge" && name!.endsWith("_total")) problems.push(`gauge ${name} named _total`);
    if (current !== name) {
      if (closed.has(name!)) problems.push(`samples of ${name} not together`);
      if (current !== undefined) closed.add(current);
      current = name;
    }
    const pairs: string[] = [];
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labels.length) {
      const at = LABEL.lastIndex;
      const m = LABEL.exec(labels);
      if (m === null) {
        problems.push(`bad labels at ${at}: ${line}`);
        break;
      }
      pairs.push(`${m[1]}=${m[2]}`);
      if (LABEL.lastIndex < labels.length) {
        if (labels[LABEL.lastIndex] !== ",") {
          problems.push(`bad labels: ${line}`);
          break;
        }
        LABEL.lastIndex++;
      }
    }
    const key = `${name}{${pairs.sort().join(",")}}`;
    if (series.has(key)) problems.push(`duplicate series: ${key}`);
    series.add(key);
    if (!/^[+-]?(?:\d+(?:\.\d*)?(?:e[+-]?\d+)?|Inf|NaN)$/i.test(value!)) {
      problems.push(`bad value: ${line}`);
    }
  }
  for (const name of types.keys()) if (!help.has(name)) problems.push(`no HELP for ${name}`);
  return problems;
}

Deno.test("serve: /metrics is a valid Prometheus text exposition after a mix of requests", async () => {
  await using t = await startService({ maxDownloadsPerIdentity: 2 });
  const token = t.tokens.alice;
  const auth = { authorization: token };
  const { doc } = await newCacheId(t.url, token, { run: "metrics" });
  const id = String(doc.cache_id);
  assertEquals((await upload(t.url, token, id, "hello")).status, 200);
  const requests: [string, string, HeadersInit?][] = [
    ["GET", `/v1/cache/${id}`, auth],
    ["HEAD", `/v1/cache/${id}`, auth],
    ["GET", "/v1/cache/nope", auth],
    ["GET", "/v1/cache/nope", { authorization: "wrong" }],
    ["OPTIONS", "/v1/cache_id"],
    ["PATCH", "/metrics"],
    ["BREW", "/healthz"],
    ["GET", "/%1b[31m%22quoted%5c%0a"],
    ["GET", "/readyz"],
    ["GET", "/"],
    ["DELETE", `/v1/cache/${id}`, auth],
  ];
  for (const [method, path, headers] of requests) {
    const res = await fetch(`${t.url}${path}`, { method, ...(headers ? { headers } : {}) });
    await res.body?.cancel();
  }
  const res = await fetch(`${t.url}/metrics`);
  assertEquals(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  assertEquals(expositionProblems(text), [], text);
  assert(
    /^vc_serve_requests_total\{method="other",route="\/healthz",status="405"\} 1$/m.test(text),
  );
  // The checker itself catches what it is there for.
  const bad = expositionProblems(
    '# HELP a_total a\n# TYPE a_total counter\na_total{x="1"} 1\na_total{x="1"} 2\n' +
      '# HELP b b\n# TYPE b gauge\nb{y="a"b"} 1\n',
  );
  assert(bad.some((p) => p.startsWith("duplicate series")), bad.join("\n"));
  assert(bad.some((p) => p.startsWith("bad labels")), bad.join("\n"));
});
