/**
 * The floor under `vc mirror` on this machine: the least a Deno process does
 * for the same job, with none of vc's guarantees. `mirror.ts` runs it beside
 * vc and aws in the same run and prints vc's distance from it.
 *
 * - `put DIR URL`: walks DIR (readDir + stat, sorted like vc), reads each file
 *   and PUTs it to `URL/<key>` with a bare `fetch`, 32 in flight: no
 *   signature, no MD5, no retries, no state file.
 * - `noop DIR URL`: lists `URL` (a bucket URL with `?prefix=`) page by page
 *   with bare GETs (keys and sizes only, by regular expression) and stats
 *   every file under DIR: what a no-op must read at least.
 *
 * Prints one JSON line: `{ "files": n, "requests": n }`.
 *
 *     deno run -A scripts/bench/mirror_floor.ts put DIR http://host/bucket/prefix
 *     deno run -A scripts/bench/mirror_floor.ts noop DIR http://host/bucket?prefix=p/
 *
 * @module
 */

const IN_FLIGHT = 32;

function walk(root: string): { key: string; path: string; size: number }[] {
  const out: { key: string; path: string; size: number }[] = [];
  const visit = (dir: string, prefix: string) => {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    for (const name of names) {
      const path = `${dir}/${name}`;
      const info = Deno.lstatSync(path);
      if (info.isDirectory) visit(path, `${prefix}${name}/`);
      else if (info.isFile) out.push({ key: prefix + name, path, size: info.size });
    }
  };
  visit(root, "");
  return out;
}

async function put(dir: string, url: string): Promise<{ files: number; requests: number }> {
  const files = walk(dir);
  const client = Deno.createHttpClient({});
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const res = await fetch(`${url}/${f.key}`, {
        method: "PUT",
        body: Deno.readFileSync(f.path),
        client,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`PUT ${f.key}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  client.close();
  return { files: files.length, requests: files.length };
}

async function noop(dir: string, url: string): Promise<{ files: number; requests: number }> {
  let requests = 0;
  let listed = 0;
  const listing = (async () => {
    let token: string | undefined;
    do {
      const page = `${url}&list-type=2${
        token === undefined ? "" : `&continuation-token=${encodeURIComponent(token)}`
      }`;
      const res = await fetch(page);
      requests++;
      const xml = await res.text();
      if (!res.ok) throw new Error(`LIST: ${res.status} ${xml}`);
      for (const _ of xml.matchAll(/<Key>([^<]*)<\/Key>[\s\S]*?<Size>(\d+)<\/Size>/g)) listed++;
      token = /<NextContinuationToken>([^<]*)</.exec(xml)?.[1];
    } while (token !== undefined);
  })();
  const files = walk(dir).length;
  await listing;
  if (listed !== files) throw new Error(`listed ${listed} objects for ${files} files`);
  return { files, requests };
}

if (import.meta.main) {
  const [mode, dir, url] = Deno.args;
  if ((mode !== "put" && mode !== "noop") || dir === undefined || url === undefined) {
    console.error("usage: mirror_floor.ts put|noop DIR URL");
    Deno.exit(2);
  }
  const result = mode === "put" ? await put(dir, url) : await noop(dir, url);
  console.log(JSON.stringify(result));
}
