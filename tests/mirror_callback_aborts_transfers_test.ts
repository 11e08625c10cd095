/**
 * A `mirror` callback that throws stopped the run with a `CallbackError`,
 * but only once every transfer in flight had finished on its own: an upload
 * of a large file (or one a store was slow to answer) went on for as long
 * as it took, for a run that had already failed. And a callback that
 * returns a promise which rejects (an `async` callback) was not looked at:
 * the rejection went unhandled and ended the process. Now a callback that
 * throws, or whose promise rejects, aborts the transfers in flight; the run
 * rejects with the `CallbackError` and leaves no object or temp file of
 * them behind.
 *
 * The store here holds each transfer of a `slow` key until its signal
 * aborts; a safety release after a while keeps a failing test bounded (it is
 * no timing assertion: the assertion is that the transfer saw the abort).
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { mirror, type MirrorOptions } from "../src/mirror/mod.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type {
  GetOptions,
  GetResult,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "../src/store/types.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { tempDir, treeContents, writeTree } from "./mirror_helpers.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const utf8 = new TextEncoder();

/** Holds the transfers of keys starting with `slow` until their signal aborts (or the safety release). */
class HoldingStore extends WrappingStore {
  readonly aborted: string[] = [];
  readonly held: string[] = [];
  #release!: () => void;
  readonly #released = new Promise<void>((r) => this.#release = r);
  #safety: ReturnType<typeof setTimeout>;
  /** Resolves when a transfer is being held. */
  holding: Promise<void>;
  #holding!: () => void;
  constructor(inner: ObjectStore) {
    super(inner);
    this.holding = new Promise<void>((r) => this.#holding = r);
    this.#safety = setTimeout(() => this.#release(), 10_000);
  }
  async #hold(key: string, signal: AbortSignal | undefined): Promise<void> {
    if (!key.startsWith("slow")) return;
    this.held.push(key);
    this.#holding();
    await new Promise<void>((resolve, reject) => {
      const abort = () => {
        this.aborted.push(key);
        reject(signal!.reason);
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener("abort", abort, { once: true });
      this.#released.then(resolve);
    });
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    await this.#hold(key, options?.signal);
    return await this.inner.put(key, body, options);
  }
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    await this.#hold(key, options?.signal);
    return await this.inner.get(key, options);
  }
  override close(): Promise<void> {
    clearTimeout(this.#safety);
    this.#release();
    return Promise.resolve();
  }
}

async function rejectsWithCallback(
  options: MirrorOptions,
  callback: string,
  thrown: Error,
): Promise<void> {
  const error = await assertRejects(() => mirror(options), CallbackError);
  assertEquals(error.callback, callback);
  assert(error.cause === thrown, `cause: ${error.cause}`);
}

for (const kind of ["throws", "rejects"] as const) {
  Deno.test(`mirror: an onAction that ${kind} aborts the uploads in flight`, async () => {
    await using w = await tempDir();
    await writeTree(join(w.dir, "src"), { "slow.txt": "slow", "z.txt": "z" });
    await using mem = new MemoryStore();
    const store = new HoldingStore(mem);
    try {
      const boom = new Error(`onAction ${kind}`);
      await rejectsWithCallback(
        {
          sources: [join(w.dir, "src")],
          target: "s3://bucket",
          statePath: join(w.dir, "s.db"),
          openStore: () => Promise.resolve<ObjectStore>(store),
          concurrency: 2,
          // Told of z.txt once slow.txt's upload is under way.
          onAction: kind === "throws"
            ? (a) => {
              if (a.key === "z.txt") throw boom;
            }
            : async (a) => {
              if (a.key === "z.txt") {
                await store.holding;
                throw boom;
              }
            },
        },
        "onAction",
        boom,
      );
      assertEquals(store.held, ["slow.txt"]);
      assertEquals(store.aborted, ["slow.txt"], "the upload in flight was not aborted");
      const keys: string[] = [];
      for await (const o of mem.list("")) keys.push(o.key);
      assertEquals(keys.filter((k) => k.startsWith("slow")), []);
    } finally {
      await store.close();
    }
  });
}

Deno.test("mirror: an onProgress that rejects aborts the downloads in flight, no temp file left", async () => {
  await using w = await tempDir();
  await using mem = new MemoryStore();
  await mem.put("slow.bin", new Uint8Array(256 * 1024).fill(1));
  await mem.put("z.txt", utf8.encode("z"));
  const store = new HoldingStore(mem);
  try {
    const boom = new Error("progress rejects");
    const down = join(w.dir, "down");
    await rejectsWithCallback(
      {
        sources: ["s3://bucket"],
        target: down,
        statePath: join(w.dir, "d.db"),
        openStore: () => Promise.resolve<ObjectStore>(store),
        concurrency: 2,
        onProgress: async () => {
          await store.holding;
          throw boom;
        },
      },
      "onProgress",
      boom,
    );
    assertEquals(store.aborted, ["slow.bin"], "the download in flight was not aborted");
    const left = Object.keys(await treeContents(down).catch(() => ({})));
    assertEquals(left.filter((name) => name !== "z.txt"), []);
  } finally {
    await store.close();
  }
});
