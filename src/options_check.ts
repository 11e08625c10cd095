/**
 * Options objects given to the library API, checked where they are taken: a
 * misspelt key (`cachedir` for `cacheDir`) or an option of another call
 * (`timeout` given to `cache()` instead of `AssetCache`) would otherwise be
 * ignored without a word, and its default used in its place. Scripts from
 * plain JavaScript, or with `as any`, get no help from the type checker.
 *
 * @module
 */
import { InvalidInputError } from "./errors.ts";
import { isUriNotPath } from "./path.ts";
import { closest } from "./suggest.ts";

/**
 * The names of an options type, as a record the compiler keeps complete:
 * a key added to the interface and not here fails `deno check`.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/**
 * Throws `InvalidInputError` when `options` (of `what`, e.g. "AssetCache")
 * is neither undefined nor a plain object, or holds a key not in `known`;
 * the message names the key, the closest known one and all of them. A key
 * (or its closest spelling) that is an option of `elsewhere` (`timeout`
 * given to `cache()`) is said to be one; another call's name for the same
 * idea (`concurrency` for `maxDownloads`) is answered with this call's, and
 * a duration in the other unit (`timeoutMs` for `timeout`) with its unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptions } from "./options_check.ts";
 * const known = { cacheDir: true, timeout: true } as const;
 * checkOptions("AssetCache", { cacheDir: "/tmp/c" }, known);
 * checkOptions("AssetCache", undefined, known);
 * assert.throws(() => checkOptions("AssetCache", { cachedir: "/tmp/c" }, known), /did you mean "cacheDir"/);
 * assert.throws(() => checkOptions("AssetCache", { timeoutMs: 5 }, known), /"timeout"\? \(in seconds/);
 * assert.throws(() => checkOptions("AssetCache", "/tmp/c", known), /must be an object/);
 * assert.throws(() => checkOptions("list()", { signal: "stop" }, { signal: true }), /must be an AbortSignal/);
 * assert.throws(() => checkOptions("put k", { onProgress: 5 }, { onProgress: true }), /the option onProgress must be a function, got 5/);
 * ```
 */
export function checkOptions(
  what: string,
  options: unknown,
  known: Readonly<Record<string, true>>,
  elsewhere?: { what: string; known: Readonly<Record<string, true>> },
): void {
  if (options === undefined) return;
  // Not a Map, a URL or an AbortSignal either: its entries are not own
  // properties, so every option would pass unseen (a signal given in place
  // of `{ signal }` would never stop anything).
  if (!isPlainObject(options)) {
    throw new InvalidInputError(
      `the options of ${what} must be an object, got ${describeValue(options)}${
        options instanceof AbortSignal ? " (pass it as { signal })" : ""
      }`,
    );
  }
  for (const key in options) {
    if (!Object.hasOwn(options, key) || Object.hasOwn(known, key)) continue;
    // Only for the message: the usual call (every option known) makes no array.
    const names = Object.keys(known);
    const guess = closest(key, names);
    const synonym = guess === undefined ? sameIdea(key, known) : undefined;
    const other = elsewhere === undefined || guess !== undefined || synonym !== undefined
      ? undefined
      : closest(key, Object.keys(elsewhere.known));
    throw new InvalidInputError(
      `${what}: unknown option ${JSON.stringify(key)}${
        guess === undefined ? "" : `; did you mean ${JSON.stringify(guess)}?${unitNote(key, guess)}`
      }${synonym === undefined ? "" : `; this call's name for it is ${synonym}`}${
        other === undefined ? "" : `; ${JSON.stringify(other)} is an option of ${elsewhere!.what}`
      } (known options: ${names.join(", ")})`,
    );
  }
  // Every call's `signal` is read only when it is aborted: a string or `{}`
  // would be a TypeError deep inside the work, or never stop anything.
  const signal = (options as { signal?: unknown }).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidInputError(
      `${what}: the option signal must be an AbortSignal, got ${describeValue(signal)}`,
    );
  }
  // Likewise its callbacks, called only once there is something to tell: a
  // value that is not a function was a TypeError deep inside the work (a
  // put's once its bytes were sent), or a callback said to have thrown it.
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && isCallbackOption(key) && typeof value !== "function") {
      throw new InvalidInputError(
        `${what}: the option ${key} must be a function, got ${describeValue(value)}`,
      );
    }
  }
}

// Options named `on…` or `before…` (`onProgress`, `onAction`, `beforeCommit`)
// are callbacks, but for these, which name a choice.
const NOT_CALLBACKS: ReadonlySet<string> = new Set(["onUnreachable"]);

function isCallbackOption(key: string): boolean {
  return /^(?:on|before)[A-Z]/.test(key) && !NOT_CALLBACKS.has(key);
}

// One idea that calls of the library (or the AWS SDK, which users know)
// spell differently: given one name where the call takes another, the
// refusal names the call's (edit distance finds none of these).
const SAME_IDEA: ReadonlyArray<Readonly<Record<string, string>>> = [
  {
    onWarning: '"onWarning" (told { message })',
    warn: '"warn" (told the message, a string)',
    // The no-locks notice's callback of withFileLock and withLockFileWrite
    // before it was onWarning.
    onNoLocks: '"onNoLocks" (told the message, a string)',
  },
  {
    concurrency: '"concurrency" (transfers at once in this call)',
    maxDownloads: '"maxDownloads" (downloads at once across all calls of this cache)',
  },
  { signal: '"signal"', abortSignal: '"abortSignal"' },
];

function sameIdea(key: string, known: Readonly<Record<string, true>>): string | undefined {
  for (const group of SAME_IDEA) {
    if (!Object.hasOwn(group, key)) continue;
    const name = Object.keys(group).find((n) => n !== key && Object.hasOwn(known, n));
    if (name !== undefined) return group[name];
  }
  return undefined;
}

// The library's durations are `…Ms` in milliseconds, or without the suffix
// in seconds (`AssetCache`'s `timeout`, `lockWait`): `timeoutMs: 5000`
// retyped as `timeout: 5000` would wait 83 minutes.
function unitNote(key: string, guess: string): string {
  if (key === `${guess}Ms`) return " (in seconds, not milliseconds)";
  if (guess === `${key}Ms`) return " (in milliseconds, not seconds)";
  return "";
}

/**
 * {@linkcode checkOptions} for a call whose options are required: left out
 * (`new S3Store()`, `prefill()`), or null, they are refused as such, with
 * the options the call takes, not as "got null". `elsewhere` is as for
 * `checkOptions`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRequiredOptions } from "./options_check.ts";
 * checkRequiredOptions("S3Store", { bucket: "b" }, { bucket: true });
 * assert.throws(() => checkRequiredOptions("S3Store", undefined, { bucket: true }), /S3Store needs an options object \(options: bucket\), got undefined/);
 * ```
 */
export function checkRequiredOptions(
  what: string,
  options: unknown,
  known: Readonly<Record<string, true>>,
  elsewhere?: { what: string; known: Readonly<Record<string, true>> },
): void {
  if (options === undefined || options === null) {
    throw new InvalidInputError(
      `${what} needs an options object (options: ${Object.keys(known).join(", ")}), got ${
        String(options)
      }`,
    );
  }
  checkOptions(what, options, known, elsewhere);
}

/**
 * {@linkcode checkOptions} for a method that returns a promise without being
 * `async`: the refusal as a rejected promise (never a synchronous throw), or
 * undefined when `options` are fine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsRefusal } from "./options_check.ts";
 * assert.equal(optionsRefusal("list()", { limit: 1 }, { limit: true }), undefined);
 * await assert.rejects(optionsRefusal("list()", { limt: 1 }, { limit: true })!, /did you mean "limit"/);
 * ```
 */
export function optionsRefusal(
  what: string,
  options: unknown,
  known: Readonly<Record<string, true>>,
): Promise<never> | undefined {
  if (options === undefined) return undefined;
  try {
    checkOptions(what, options, known);
    return undefined;
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * A value as an error message shows what was given: strings quoted, objects
 * by their kind (`a URL object`), so "got [object Object]" never appears.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "./options_check.ts";
 * assert.equal(describeValue("60"), '"60"');
 * assert.equal(describeValue(NaN), "NaN");
 * assert.equal(describeValue(new URL("file:///x")), "a URL object (file:///x)");
 * assert.equal(describeValue(null), "null");
 * assert.equal(describeValue(new ArrayBuffer(1)), "an ArrayBuffer object");
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null || typeof value !== "object") return String(value);
  if (Array.isArray(value)) return "an array";
  if (value instanceof URL) return `a URL object (${value.href})`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  if (typeof name !== "string" || name === "" || name === "Object") return "an object";
  // "an ArrayBuffer object", "a Uint16Array object" (said "you")
  return `${/^[AEIO]/i.test(name) ? "an" : "a"} ${name} object`;
}

/**
 * Refuses a value that is not a string, naming the argument: a JavaScript
 * caller's number or `undefined` would otherwise fail deep inside as a bare
 * `TypeError` (`etag.replace is not a function`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireString } from "./options_check.ts";
 * requireString("parseEtag(): the ETag", "abc");
 * assert.throws(() => requireString("parseEtag(): the ETag", 5), /the ETag must be a string, got 5/);
 * ```
 */
export function requireString(what: string, value: unknown): asserts value is string {
  if (typeof value !== "string") {
    throw new InvalidInputError(`${what} must be a string, got ${describeValue(value)}`);
  }
}

/**
 * True for a plain object (`{...}`, or one without a prototype): not null,
 * an array, a `Map`, a `URL` or a class instance, whose entries
 * `Object.entries` would not see as the caller meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPlainObject } from "./options_check.ts";
 * assert(isPlainObject({ a: 1 }) && isPlainObject(Object.create(null)));
 * assert(!isPlainObject(new Map()) && !isPlainObject([]) && !isPlainObject(null));
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === "[object Object]";
}

/**
 * Throws `InvalidInputError` when `value` (the argument `what` of a call) is
 * not a function: checked before the call takes a lock or writes anything,
 * instead of a `TypeError` from deep inside once it has.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkFunction } from "./options_check.ts";
 * checkFunction("updateManifest() change", () => {});
 * assert.throws(() => checkFunction("updateManifest() change", 42), /must be a function, got 42/);
 * ```
 */
export function checkFunction(what: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new InvalidInputError(`${what} must be a function, got ${describeValue(value)}`);
  }
}

/**
 * Throws `InvalidInputError` when `clock` (the option `clock` of `what`:
 * `AssetCache`, `Repository.open()`) is given and is no `Clock` (an object
 * whose `now` is a function): checked when the option is taken, instead of a
 * `TypeError` (`clock.now is not a function`) at the first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkClockOption } from "./options_check.ts";
 * checkClockOption("AssetCache", undefined);
 * checkClockOption("AssetCache", { now: () => 0 });
 * assert.throws(() => checkClockOption("AssetCache", {}), /the option clock must be a Clock/);
 * ```
 */
export function checkClockOption(what: string, clock: unknown): void {
  if (clock === undefined) return;
  if (typeof (clock as { now?: unknown } | null)?.now !== "function") {
    throw new InvalidInputError(
      `${what}: the option clock must be a Clock (such as ManualClock), got ${
        describeValue(clock)
      }`,
    );
  }
}

/**
 * The caller's `fetch` option of `what` (`CacheClient`, `KBaseAuth`),
 * checked to be a function, as a `fetch` whose answer is checked to be a
 * `Response` (or one from another fetch implementation: a status, headers
 * and a body that is a stream or `null`). A stand-in that resolved to
 * `undefined` or a plain object failed deep inside as a bare `TypeError`
 * ("reading 'getReader'"), or as a service that could not be reached; it is
 * now an `InvalidInputError` naming the option and what it resolved to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkedFetch } from "./options_check.ts";
 * const good = checkedFetch("CacheClient", () => Promise.resolve(new Response("hi")));
 * assert.equal(await (await good("http://x")).text(), "hi");
 * const bad = checkedFetch("CacheClient", (() => Promise.resolve(undefined)) as never);
 * await assert.rejects(bad("http://x"), /the option fetch resolved to undefined, not a Response/);
 * assert.throws(() => checkedFetch("CacheClient", "fetch"), /the option fetch must be a function/);
 * ```
 */
export function checkedFetch(what: string, fetchOption: unknown): typeof fetch {
  checkFunction(`${what}: the option fetch`, fetchOption);
  const fetchImpl = fetchOption as typeof fetch;
  return async (input, init) => {
    const answer: unknown = await fetchImpl(input, init);
    if (answer instanceof Response || isResponseLike(answer)) return answer as Response;
    // A body that is no stream: not read, but let go if it can be.
    const body = (answer as { body?: { cancel?: unknown } } | null | undefined)?.body;
    if (typeof body?.cancel === "function") {
      await Promise.resolve((body.cancel as () => unknown).call(body)).catch(() => {});
    }
    throw new InvalidInputError(
      `${what}: the option fetch resolved to ${describeValue(answer)}, not a Response${
        typeof answer === "object" && answer !== null ? ` (${responseLack(answer)})` : ""
      }: a fetch stand-in must answer as fetch does`,
    );
  };
}

function isResponseLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && responseLack(value) === "";
}

// What `value` lacks of a Response, or "" when nothing.
function responseLack(value: object): string {
  const r = value as { status?: unknown; headers?: { get?: unknown }; body?: unknown };
  if (typeof r.status !== "number") return `its status is ${describeValue(r.status)}`;
  if (typeof r.headers?.get !== "function") return "it has no headers";
  const body = r.body as { getReader?: unknown } | null | undefined;
  if (body !== null && typeof body?.getReader !== "function") {
    return `its body is ${describeValue(body)}, not a ReadableStream or null`;
  }
  return "";
}

/**
 * Throws `InvalidInputError` when `value` (the argument `what` of a call) is
 * not a non-empty string: a file path given as a `URL` object, a number or
 * `undefined` is refused before anything is read or written. So is a URI
 * string (`file:///srv/m.json`, `s3://b/x`): resolved as a path it is a
 * relative one with its `//` collapsed, and the call would read or write
 * `./file:/srv/m.json` beside the script, reporting success (the CLI's
 * `localPathArg` refuses it the same way).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPathArgument } from "./options_check.ts";
 * checkPathArgument("manifest", "versioned_assets.json");
 * assert.throws(() => checkPathArgument("manifest", new URL("file:///m.json")), /pass its pathname/);
 * assert.throws(() => checkPathArgument("manifest", "file:///m.json"), /local path, got the URI/);
 * assert.throws(() => checkPathArgument("manifest", "m\0.json"), /NUL character/);
 * ```
 */
export function checkPathArgument(what: string, value: unknown): void {
  if (typeof value === "string" && value !== "") {
    // No file name holds one: the file system call would throw a TypeError
    // naming neither the argument nor the value.
    if (value.includes("\0")) throw new InvalidInputError(nulInPathMessage(what, value));
    if (!isUriNotPath(value)) return;
    throw new InvalidInputError(
      `${what} must be a local path, got the URI ${JSON.stringify(value)}${
        value.startsWith("file://") ? ": pass its path" : ""
      }`,
    );
  }
  throw new InvalidInputError(
    `${what} must be a non-empty file path string, got ${describeValue(value)}${
      value instanceof URL ? ": pass its pathname" : ""
    }`,
  );
}

/**
 * The refusal of a local path holding a NUL character (`what`: the argument
 * or setting that gave it), in the words every path check uses: the bucket
 * settings', `parseUri`'s and {@linkcode checkPathArgument}'s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nulInPathMessage } from "./options_check.ts";
 * assert.equal(
 *   nulInPathMessage("cacheDir", "c\0d"),
 *   'cacheDir "c\\u0000d" contains a NUL character, which no file name can hold',
 * );
 * ```
 */
export function nulInPathMessage(what: string, value: string): string {
  return `${what} ${JSON.stringify(value)} contains a NUL character, which no file name can hold`;
}

/**
 * Throws `InvalidInputError` when the numeric option `what` is given and is
 * not a number, 0 or more. A string (`"1000"` from an environment variable
 * or a JSON file), `NaN` or a negative number otherwise reached arithmetic:
 * `now + "5"` made an expiry string, a NaN sweep interval turned sweeping
 * off, unsaid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkNonNegativeNumber } from "./options_check.ts";
 * checkNonNegativeNumber("fileTtlMs", undefined);
 * checkNonNegativeNumber("fileTtlMs", 0);
 * assert.throws(() => checkNonNegativeNumber("fileTtlMs", "5"), /0 or more, got "5"/);
 * assert.throws(() => checkNonNegativeNumber("fileTtlMs", NaN), /0 or more, got NaN/);
 * ```
 */
export function checkNonNegativeNumber(what: string, value: unknown): void {
  if (value === undefined || (typeof value === "number" && value >= 0)) return;
  throw new InvalidInputError(`${what} must be a number, 0 or more, got ${describeValue(value)}`);
}

/**
 * Refuses `value` (`what`: its name, for the message) unless it is absent or
 * a positive safe integer: a count or a bound whose NaN, 0 or 2.5 would
 * otherwise do nothing, wait forever or round somewhere unseen.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPositiveInteger } from "./options_check.ts";
 * checkPositiveInteger("maxDownloads", undefined);
 * checkPositiveInteger("maxDownloads", 4);
 * assert.throws(() => checkPositiveInteger("maxDownloads", 0), /^InvalidInputError: maxDownloads must be a positive integer, got 0$/);
 * assert.throws(() => checkPositiveInteger("the option n", NaN), /n must be a positive integer, got NaN/);
 * assert.throws(() => checkPositiveInteger("n", 2 ** 53), /positive integer/);
 * ```
 */
export function checkPositiveInteger(what: string, value: unknown): void {
  if (value === undefined || (Number.isSafeInteger(value) && (value as number) > 0)) return;
  throw new InvalidInputError(`${what} must be a positive integer, got ${describeValue(value)}`);
}

/**
 * The items of a list option (`what`: its name, for the message). A lone
 * string is iterable too, and spread its characters would be the items
 * (`immutableBuckets: "assets"` the buckets a, s, s, e, t, s): refused, as is
 * anything not iterable, with the array it probably meant.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listOption } from "./options_check.ts";
 * assert.deepEqual(listOption(new Set(["a", "b"]), "immutableBuckets"), ["a", "b"]);
 * assert.throws(() => listOption("assets", "immutableBuckets"), /\["assets"\]/);
 * assert.throws(() => listOption(undefined, "sources"), /sources must be an array/);
 * ```
 */
export function listOption<T>(value: Iterable<T> | string | undefined, what: string): T[] {
  if (typeof value === "string" || typeof value?.[Symbol.iterator] !== "function") {
    throw new InvalidInputError(
      `${what} must be an array${
        typeof value === "string" ? ` ([${JSON.stringify(value)}])` : ""
      }, got ${describeValue(value)}`,
    );
  }
  return [...value as Iterable<T>];
}
