/**
 * The hint for a miss through an endpoint whose path ends in the bucket's
 * name (`AWS_ENDPOINT_URL=http://127.0.0.1:9000/my-assets`, a bucket's URL
 * as a MinIO console shows it, pasted as the server's): another server's
 * endpoint keeps its path (a gateway behind a proxy), so every request went
 * to `/my-assets/my-assets/…` and nothing was found. Written by the store's
 * errors and found again in them by the cache, whose own words for a miss
 * replace the store's.
 *
 * @module
 */

const START = "; the endpoint ";
const MIDDLE = " ends in the bucket's name, ";

/**
 * `; the endpoint E ends in the bucket's name, …: set the endpoint to E'
 * (the server's URL, no bucket) …` when `endpoint`'s path ends in the
 * segment `bucket`; empty otherwise (no path, or a gateway's other path).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointPathHint } from "./endpoint_path_hint.ts";
 * assert.match(endpointPathHint("http://127.0.0.1:9000/b", "b"), /set the endpoint to http:\/\/127\.0\.0\.1:9000 /);
 * assert.equal(endpointPathHint("http://gw/s3", "b"), "");
 * assert.equal(endpointPathHint("http://127.0.0.1:9000", "b"), "");
 * ```
 */
export function endpointPathHint(endpoint: string, bucket: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "";
  }
  const segments = url.pathname.split("/").filter((s) => s !== "");
  if (bucket === "" || segments.at(-1) !== bucket) return "";
  url.pathname = segments.slice(0, -1).join("/");
  const server = url.href.replace(/\/$/, "");
  return `${START}${endpoint}${MIDDLE}so requests went to .../${bucket}/${bucket}/KEY: ` +
    `set the endpoint to ${server} (the server's URL, no bucket) and name the bucket in ` +
    `s3://${bucket}/KEY`;
}

/**
 * The hint {@linkcode endpointPathHint} wrote into `message`, or `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointPathHint, endpointPathHintIn } from "./endpoint_path_hint.ts";
 * const hint = endpointPathHint("http://h:9000/b", "b");
 * assert.equal(endpointPathHintIn(`s3://b/k does not exist (GET: 404)${hint}`), hint);
 * assert.equal(endpointPathHintIn("s3://b/k does not exist"), "");
 * ```
 */
export function endpointPathHintIn(message: string): string {
  const at = message.indexOf(START);
  return at !== -1 && message.indexOf(MIDDLE, at) !== -1 ? message.slice(at) : "";
}
