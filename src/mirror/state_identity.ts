/**
 * What names a mirror's default state file (and so its lock): the mirror
 * itself, not how its sides were typed. Every spelling of one source/target
 * pair gives one identity, so two runs of it take one lock.
 *
 * @module
 */
import { fromFileUrl, join, resolve, toFileUrl } from "../path.ts";
import { realish } from "../real_path.ts";
import { joinUri } from "../uri.ts";
import { isCommercialS3Host } from "../store/aws_partition.ts";

/** A mirror as its state identity sees it. */
export interface MirrorSides {
  /** `upload` (local → store) or `download` (store → local). */
  direction: "upload" | "download";
  /** Each source: a local directory (upload), else the store's own URL. */
  sources: readonly string[];
  /** The target: the store's own URL (upload), else a local directory. */
  target: string;
  /** The `--source-prefix` as given (a directory, upload), undefined without one. */
  sourcePrefix: string | undefined;
  /** The key prefix on the store side as the run takes it (`a/b/` or ""). */
  storePrefix: string;
  /** The normalised `--target-prefix` (`a/b/` or ""). */
  targetPrefix: string;
  /**
   * The S3 endpoint of each store side (the target of an upload, each
   * source of a download), as the store names it (`S3Store.endpoint`);
   * `undefined` (or absent): AWS itself, or a store its URL names whole.
   */
  storeEndpoints?: readonly (string | undefined)[];
}

/** The identity of the default state file, and those earlier versions gave it. */
export interface StateIdentities {
  /** The identity every spelling of the mirror shares. */
  canonical: Record<string, unknown>;
  /** Identities earlier versions gave this spelling (their files are taken over). */
  former: Record<string, unknown>[];
}

/**
 * The state identities of the mirror `sides`. Canonical: a local directory
 * is its real path (links resolved, `..` and a trailing slash gone), a
 * `file://` store its directory's real path, and a key prefix given as a
 * flag is folded into the side it names, as the run uses it:
 * `s3://b --target-prefix two` is `s3://b/two` (the same keys), a store
 * source with `--source-prefix two` is that store's `two/` (the prefix is
 * stripped from the keys either way), and a local target with
 * `--target-prefix sub` is its directory `sub`. A local `--source-prefix`
 * stays apart: it changes the keys. For the usual spelling (real paths, a
 * prefix in the URI) the canonical identity is the one earlier versions
 * gave, so their state files keep their names; the others are in `former`.
 *
 * A store on an S3-compatible endpoint adds the endpoint (see
 * {@linkcode endpointIdentity}): one `s3://bucket/prefix` on AWS and on a
 * MinIO are two mirrors, with two state files and two locks. AWS itself
 * adds nothing, so its state files keep their names; a file an earlier
 * version named without the endpoint is not taken over by a mirror to
 * another endpoint, as it may be any server's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stateIdentities } from "./state_identity.ts";
 * const dir = await Deno.realPath(await Deno.makeTempDir());
 * try {
 *   const sides = {
 *     direction: "upload" as const,
 *     sources: [dir],
 *     sourcePrefix: undefined,
 *     storePrefix: "",
 *   };
 *   const a = await stateIdentities({ ...sides, target: "s3://b/two", targetPrefix: "" });
 *   const b = await stateIdentities({ ...sides, target: "s3://b", targetPrefix: "two/" });
 *   assert.deepEqual(a.canonical, b.canonical);
 *   assert.deepEqual(a.former, []);
 *   assert.equal(b.former.length, 1);
 * } finally {
 *   await Deno.remove(dir);
 * }
 * ```
 */
export async function stateIdentities(sides: MirrorSides): Promise<StateIdentities> {
  const upload = sides.direction === "upload";
  // As earlier versions named it: the paths as typed (real: links resolved),
  // the stores as they name themselves, the prefixes beside them.
  const earlier = async (real: boolean) => {
    const local = (s: string) => real ? realish(resolve(s)) : Promise.resolve(resolve(s));
    return {
      sources: await Promise.all(sides.sources.map((s) => upload ? local(s) : s)),
      target: upload ? sides.target : await local(sides.target),
      sourcePrefix: sides.sourcePrefix === undefined
        ? ""
        : upload
        ? await local(sides.sourcePrefix)
        : sides.storePrefix,
      targetPrefix: sides.targetPrefix,
    };
  };
  const canonical = {
    sources: await Promise.all(
      sides.sources.map((s) =>
        upload ? realish(resolve(s)) : storeIdentity(s, sides.sourcePrefix ? sides.storePrefix : "")
      ),
    ),
    target: upload
      ? await storeIdentity(sides.target, sides.targetPrefix)
      : await realish(join(resolve(sides.target), ...sides.targetPrefix.split("/"))),
    sourcePrefix: upload && sides.sourcePrefix !== undefined
      ? await realish(resolve(sides.sourcePrefix))
      : "",
    targetPrefix: "",
  };
  const endpoints = (sides.storeEndpoints ?? []).map(endpointIdentity);
  const custom = endpoints.some((e) => e !== undefined);
  // Only where one is not AWS: a mirror to AWS keeps the name it had.
  const identity: Record<string, unknown> = custom
    ? { ...canonical, endpoints: endpoints.map((e) => e ?? "") }
    : canonical;
  const key = JSON.stringify(identity);
  if (custom) return { canonical: identity, former: [] };
  const former: Record<string, unknown>[] = [];
  for (const f of [await earlier(true), await earlier(false)]) {
    const k = JSON.stringify(f);
    if (k !== key && !former.some((x) => JSON.stringify(x) === k)) former.push(f);
  }
  return { canonical: identity, former };
}

/**
 * The endpoint as a mirror's state identity takes it: scheme, host
 * (lower case) and port (none for the scheme's default), and a path
 * without its trailing slashes; `undefined` for AWS's own S3 endpoints
 * (`https://s3.amazonaws.com`, `https://s3.<region>.amazonaws.com`, FIPS
 * and dual-stack ones: one bucket namespace, the one of no endpoint; not
 * GovCloud's `us-gov-` ones, nor China's `amazonaws.com.cn` or the ISO
 * regions' (`c2s.ic.gov`, ...): other partitions, other buckets).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { endpointIdentity } from "./state_identity.ts";
 * assert.equal(endpointIdentity("HTTP://MinIO:80/"), "http://minio");
 * assert.equal(endpointIdentity("https://s3.eu-west-1.amazonaws.com"), undefined);
 * assert.equal(endpointIdentity("https://s3.us-gov-west-1.amazonaws.com"), "https://s3.us-gov-west-1.amazonaws.com");
 * assert.equal(endpointIdentity(undefined), undefined);
 * ```
 */
export function endpointIdentity(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined || endpoint.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return endpoint.trim();
  }
  const path = url.pathname.replace(/\/+$/, "");
  // GovCloud's hosts end in amazonaws.com too, but it is a partition of its
  // own: its buckets are not those of the one of no endpoint.
  if (url.protocol === "https:" && path === "" && isCommercialS3Host(url.hostname)) {
    return undefined;
  }
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * A store's URL with `prefix` (`a/b/`) folded in; a `file://` one as its
 * directory's real path, so a store reached through a link is the same.
 */
async function storeIdentity(url: string, prefix: string): Promise<string> {
  const rest = prefix.replace(/\/$/, "");
  if (/^file:/i.test(url)) {
    let dir: string;
    try {
      dir = fromFileUrl(url);
    } catch {
      return rest === "" ? url : joinUri(url, rest);
    }
    return toFileUrl(await realish(join(dir, ...rest.split("/")))).href;
  }
  return rest === "" ? url : joinUri(url, rest);
}
