/**
 * The repository's marker: `.vc-repo.json` at the root of its store names the
 * catalog (kind and location, never a password), so any machine given only
 * the store URI finds the one catalog instead of silently starting a second.
 * A SQLite catalog also records its host: it is a file on that machine, and
 * opening it from another host is refused.
 *
 * @module
 */
import { redactUrl } from "../redact.ts";
import { MOVE_TO_POSTGRES, REPO_INIT } from "../command_words.ts";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
  StoreNotFoundError,
  VcError,
} from "../errors.ts";
import type { ObjectStore } from "../store/types.ts";
import { readSmallObjectText } from "../store/small_object.ts";
import { storedProblem } from "../upload_check.ts";
import { redactPostgresUrl } from "./postgres_catalog.ts";
import { win32Join, win32Root } from "../path.ts";
import { strayWhitespace, windowsPathProblem } from "../uri.ts";
import { jsonErrorPosition } from "../json_text.ts";

/** The marker's key in the store. */
export const MARKER_KEY = ".vc-repo.json";

/** Where a repository's catalog lives. */
export type CatalogRef =
  | { kind: "sqlite"; path: string; host: string }
  | { kind: "postgres"; url: string };

/** The marker's content. */
export interface RepoMarker {
  /** Always `"vc-repo"`. */
  format: "vc-repo";
  /** Marker format version. */
  version: 1;
  /** The catalog. */
  catalog: CatalogRef;
  /** Key prefix of content objects. */
  contentPrefix: string;
  /** When the repository was created (ISO time). */
  createdAt: string;
  /**
   * The repository's id, also kept in its catalog (`vc_meta`): a catalog
   * answers for one repository only. Absent in markers written before it
   * existed.
   */
  repository?: string;
}

/**
 * The store holds no repository marker.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { RepoNotFoundError } from "./marker.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   await assert.rejects(Repository.open(`file://${dir}`), RepoNotFoundError);
 *   await assert.rejects(Repository.open(`file://${dir}`), NotFoundError); // a NotFoundError too
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class RepoNotFoundError extends NotFoundError {}

/**
 * A SQLite catalog was opened from a host other than the one that owns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WrongHostError } from "./marker.ts";
 * import { Repository } from "./repository.ts";
 * const dir = await Deno.makeTempDir();
 * try {
 *   // A SQLite catalog is a file on the host that made it: elsewhere it would be a new, empty one.
 *   await (await Repository.init(`file://${dir}`, { host: "build-1" })).close();
 *   await assert.rejects(Repository.open(`file://${dir}`, { host: "build-2" }), WrongHostError);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export class WrongHostError extends VcError {}

/**
 * Parses a `--catalog` value: `sqlite:PATH` or `postgres://…` / `postgresql://…`.
 * The password is dropped from what is returned (it is never recorded). A
 * space or line break at an end is refused, naming the catalog meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCatalogRef } from "./marker.ts";
 * assert.deepEqual(parseCatalogRef("sqlite:/srv/c.sqlite", "h1"), { kind: "sqlite", path: "/srv/c.sqlite", host: "h1" });
 * assert.deepEqual(parseCatalogRef("postgres://u:pw@db/x", "h1"), { kind: "postgres", url: "postgres://u@db/x" });
 * assert.throws(() => parseCatalogRef("mysql://x", "h1"), /sqlite:PATH or postgres:/);
 * assert.throws(() => parseCatalogRef("sqlite:~/c.sqlite", "h1", "/srv"), /~ is not expanded/);
 * assert.throws(() => parseCatalogRef("sqlite://data/c.sqlite", "h1", "/srv"), /has no host/);
 * assert.throws(() => parseCatalogRef("sqlite:/srv/c.sqlite\n", "h1"), /did you mean "sqlite:\/srv\/c.sqlite"/);
 * ```
 */
export function parseCatalogRef(
  text: string,
  host: string,
  cwd?: string,
  os: typeof Deno.build.os = Deno.build.os,
): CatalogRef {
  // A line break a YAML block or a CRLF file left (`VC_REPO_CATALOG: |`):
  // `init` made the file `c.sqlite\n` and recorded it; a leading space read
  // as no catalog at all. Said without the password, whitespace as given.
  const trimmed = text.trim();
  if (trimmed !== "" && trimmed !== text) {
    const at = text.indexOf(trimmed);
    const shown = text.slice(0, at) + redactCatalogText(trimmed) + text.slice(at + trimmed.length);
    throw new InvalidInputError(`catalog ${JSON.stringify(shown)} ${strayWhitespace(shown, true)}`);
  }
  if (text.startsWith("sqlite:")) {
    const given = text.slice("sqlite:".length);
    let path = given.replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new InvalidInputError(`catalog "${text}": empty SQLite path`);
    // A path shaped as a directory (`cat/`, `.`, `..`): SQLite made a file of
    // the name without its slash, then the catalog failed on "Not a directory".
    if ((os === "windows" ? /(?:^|[\\/])\.{1,2}$|[\\/]$/ : /(?:^|\/)\.{1,2}$|\/$/).test(path)) {
      throw new InvalidInputError(
        `catalog "${text}": ${path} names a directory, and a SQLite catalog is a file: give ` +
          "the file's path (sqlite:DIR/repo.sqlite)",
      );
    }
    // `sqlite://NAME/c.sqlite` reads as a URL with a host, yet its path was
    // `//NAME/c.sqlite`: `/NAME/c.sqlite`, a directory made at the root
    // (on Windows, `//server/share/…` is a UNC path).
    if (os !== "windows" && /^\/\/[^/]/.test(given)) {
      throw new InvalidInputError(
        `catalog "${text}": a SQLite catalog has no host; give sqlite:PATH or ` +
          "sqlite:///ABSOLUTE/PATH",
      );
    }
    // No shell expands the `~` of `--catalog sqlite:~/c.sqlite` (it is not at
    // the word's start): taken as it is, it named `./~/c.sqlite`, a directory
    // `init` made in the current one, where the catalog then lived.
    if (path === "~" || /^~[^/\\]*[/\\]/.test(path)) {
      throw new InvalidInputError(
        `catalog "${text}": a leading ~ is not expanded here (no shell expands it after ` +
          "sqlite:); give the path from / (sqlite:$HOME/…)",
      );
    }
    // Off Windows a Windows drive's path (`sqlite:C:\\vc\\c.sqlite`, or the URL
    // form written there, `sqlite:///C:/vc/c.sqlite`) was a file of that name
    // in the working directory, or a directory `C:` at the root.
    const urlForm = given.startsWith("///");
    const drivePath = urlForm ? path.slice(1) : path;
    const drive = os === "windows" ? undefined : windowsPathProblem(drivePath, os);
    if (drive !== undefined) {
      // The URL form is an absolute path here, not the relative one said of `C:\vc`.
      throw new InvalidInputError(
        `catalog "${text}": ${
          urlForm
            ? `${JSON.stringify(drivePath)} is a Windows path, but this system is ${os}: ` +
              `here it is ${path}, a directory "${drivePath.slice(0, 2)}" at the root, not drive ` +
              `${drivePath[0]!.toUpperCase()}:; give a path of this system (or sqlite:${path} ` +
              "for a directory of that name)"
            : drive
        }`,
      );
    }
    if (os === "windows") {
      // `sqlite:///C:/x.sqlite` names `C:/x.sqlite`, as a `file:` URL would.
      if (/^\/[A-Za-z]:[\\/]/.test(path)) path = path.slice(1);
      // `C:x` is relative to drive C's own current directory: another place
      // for each process, so never recorded in a marker.
      if (/^[A-Za-z]:(?![\\/])/.test(path)) {
        throw new InvalidInputError(
          `catalog "${text}": ${path} is relative to a drive's current directory; give C:\\path`,
        );
      }
      if (win32Root(path) === "" && cwd !== undefined) path = win32Join(cwd, path);
      return { kind: "sqlite", path, host };
    }
    if (!path.startsWith("/") && cwd !== undefined) path = `${cwd.replace(/\/+$/, "")}/${path}`;
    return { kind: "sqlite", path, host };
  }
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: "postgres", url: redactPostgresUrl(text) };
  throw new InvalidInputError(
    `catalog "${
      redactCatalogText(text)
    }" is not sqlite:PATH or postgres://user@host:port/database (secrets are not shown)`,
  );
}

/**
 * A catalog as given (`--catalog`), for messages, without its password: a
 * PostgreSQL URL as {@linkcode redactPostgresUrl}, anything else as
 * {@linkcode redactUrl}, which drops the password of a text with no
 * `scheme://` that holds `user:password@` too (a URL missing its
 * `postgres://`, whose user a URL parser takes for the scheme).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactCatalogText } from "./marker.ts";
 * assert.equal(redactCatalogText("vc:pw@db:5432/vc"), "vc:***@db:5432/vc");
 * assert.equal(redactCatalogText("postgresql//vc:pw@db/vc"), "postgresql//vc:***@db/vc");
 * assert.equal(redactCatalogText("postgres://vc:pw@db/vc"), "postgres://vc@db/vc");
 * ```
 */
export function redactCatalogText(text: string): string {
  if (/^postgres(ql)?:\/\//i.test(text)) return redactPostgresUrl(text);
  return redactUrl(text);
}

/**
 * Writes the marker, create-once: a second `init` of the same store fails
 * with `PreconditionFailedError` instead of replacing the first catalog.
 */
export async function writeMarker(
  store: ObjectStore,
  marker: RepoMarker,
  options: { replace?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const body = new TextEncoder().encode(JSON.stringify(marker, null, 2) + "\n");
  try {
    await store.put(MARKER_KEY, body, {
      ...(options.replace ? {} : { ifNoneMatch: "*" as const }),
      contentType: "application/json",
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw new PreconditionFailedError(
        `${store.url} is already a vc repository (${MARKER_KEY} exists)`,
        { cause: error },
      );
    }
    throw error;
  }
  // A store or proxy that answers the PUT 200 and keeps nothing would leave
  // a repository no later command finds, after an init that said it was made.
  const problem = await storedProblem(
    store,
    MARKER_KEY,
    { size: body.length },
    options.signal,
  );
  if (problem !== undefined) {
    throw new IntegrityError(
      `${store.url}/${MARKER_KEY} could not be verified after it was written: ${problem} (the ` +
        "store, or a proxy on the way, acknowledged the write without keeping it)",
    );
  }
}

/** Reads and validates the marker; {@linkcode RepoNotFoundError} when absent. */
export async function readMarker(
  store: ObjectStore,
  options: { signal?: AbortSignal } = {},
): Promise<RepoMarker> {
  let text: string;
  try {
    const got = await store.get(
      MARKER_KEY,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    text = await readSmallObjectText(got, `${store.url}/${MARKER_KEY}`);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new RepoNotFoundError(
        // A bucket that does not exist (a typo) is named as such: `vc repo
        // init` there would fail too.
        error instanceof StoreNotFoundError
          ? `${store.url} is not a vc repository: ${error.message}`
          : `${store.url} is not a vc repository (no ${MARKER_KEY}); run ${REPO_INIT.library} first`,
        { cause: error },
      );
    }
    throw error;
  }
  let marker: RepoMarker;
  try {
    marker = JSON.parse(text) as RepoMarker;
  } catch (error) {
    // Where, but not V8's reason: it may quote the text, a PostgreSQL
    // catalog URL and its password included.
    const { line, column } = jsonErrorPosition(text, error instanceof Error ? error.message : "");
    throw new InvalidInputError(
      `${store.url}/${MARKER_KEY} is not valid JSON (at line ${line}, column ${column})`,
      { cause: error },
    );
  }
  const c = marker?.catalog;
  // GC deletes unreferenced objects under the content prefix: an empty or
  // odd prefix would put the marker and the backups in its reach.
  if (marker?.format === "vc-repo" && !isContentPrefix(marker.contentPrefix)) {
    throw new InvalidInputError(
      `${store.url}/${MARKER_KEY} has content prefix ${JSON.stringify(marker.contentPrefix)}: ` +
        `it must be relative segments ending in "/" (like "content/"), without "", ".", ".." ` +
        `or ".vc" segments, and not under "backups/"`,
    );
  }
  const valid = marker?.format === "vc-repo" &&
    (c?.kind === "sqlite" && typeof c.path === "string" && typeof c.host === "string" ||
      c?.kind === "postgres" && typeof c.url === "string") &&
    (marker.repository === undefined || typeof marker.repository === "string");
  if (!valid) {
    throw new InvalidInputError(`${store.url}/${MARKER_KEY} is not a vc repository marker`);
  }
  return marker;
}

/**
 * Refuses a SQLite catalog owned by another host: opening it here would
 * either fail or, worse, create an empty second catalog.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHost } from "./marker.ts";
 * checkHost({ kind: "sqlite", path: "/c", host: "a" }, "a");
 * assert.throws(() => checkHost({ kind: "sqlite", path: "/c", host: "a" }, "b"), /host a/);
 * ```
 */
export function checkHost(ref: CatalogRef, host: string): void {
  if (ref.kind === "sqlite" && ref.host !== host) {
    throw new WrongHostError(
      `the repository's SQLite catalog ${ref.path} belongs to host ${ref.host}, not ${host}; ` +
        // The move's backup opens the catalog, refused here as this is.
        `use it from that host, or, on host ${ref.host}, move the catalog to PostgreSQL ` +
        `(${MOVE_TO_POSTGRES.library})`,
    );
  }
}

/** The catalog as text (for messages and `--json`): `sqlite:PATH` or the redacted URL. */
export function catalogText(ref: CatalogRef): string {
  // A marker edited by hand may hold a password; text is for messages and
  // comparisons, which never show one.
  return ref.kind === "sqlite" ? `sqlite:${ref.path}` : redactPostgresUrl(ref.url);
}

/**
 * Where `vc repo backup` writes its snapshots in the repository's store when
 * given no destination. Never under the content prefix ({@linkcode
 * isContentPrefix} refuses it), so gc never collects a snapshot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BACKUP_PREFIX } from "./marker.ts";
 * assert.equal(BACKUP_PREFIX, "backups/");
 * ```
 */
export const BACKUP_PREFIX = "backups/";

/**
 * Whether `prefix` can be a repository's content prefix: `segment/…/`, no
 * empty, `.` or `..` segments, no control characters, not the marker's or the
 * backups' place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isContentPrefix } from "./marker.ts";
 * assert(isContentPrefix("content/"));
 * assert(!isContentPrefix("") && !isContentPrefix("../") && !isContentPrefix("backups/"));
 * ```
 */
export function isContentPrefix(prefix: unknown): prefix is string {
  if (typeof prefix !== "string" || !prefix.endsWith("/") || /\p{Cc}/u.test(prefix)) return false;
  const segments = prefix.slice(0, -1).split("/");
  return segments[0] !== "backups" &&
    segments.every((s) => s !== "" && s !== "." && s !== ".." && !s.startsWith(".vc"));
}
