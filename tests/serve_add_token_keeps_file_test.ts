/**
 * `vc serve add-token` rewrites an existing token file: it must keep what
 * the operator set up. A file `root:vc 0640` that the service (user `vc`)
 * reads came back `root:root 0600` after root added a token, so the running
 * service could no longer read it, nor a restarted one start. A symlinked
 * token file (a config manager's, a Kubernetes secret's `..data` link) was
 * replaced by a regular file, its target left without the new token.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { addToken } from "../src/server/auth.ts";
import { sha256Hex } from "../src/hash.ts";

const posix = Deno.build.os !== "windows";

Deno.test({
  name: "serve add-token: an existing token file keeps its mode and owner",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/tokens.json`;
      await Deno.writeTextFile(path, "{}\n");
      await Deno.chmod(path, 0o640);
      const asRoot = Deno.uid() === 0;
      if (asRoot) await Deno.chown(path, 0, 65534);
      const token = await addToken(path, "alice");
      const doc = JSON.parse(await Deno.readTextFile(path));
      assertEquals(doc[sha256Hex(token)], "alice");
      const info = await Deno.stat(path);
      assertEquals((info.mode! & 0o7777).toString(8), "640");
      if (asRoot) assertEquals(info.gid, 65534);
      // A new file is still private.
      await addToken(`${dir}/new.json`, "bob");
      assertEquals(((await Deno.stat(`${dir}/new.json`)).mode! & 0o777).toString(8), "600");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve add-token: a symlinked token file is written where it points, the link kept",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeTextFile(`${dir}/data/tokens.json`, "{}\n");
      await Deno.symlink("data/tokens.json", `${dir}/tokens.json`);
      const token = await addToken(`${dir}/tokens.json`, "alice");
      assert((await Deno.lstat(`${dir}/tokens.json`)).isSymlink, "the link was replaced");
      const doc = JSON.parse(await Deno.readTextFile(`${dir}/data/tokens.json`));
      assertEquals(doc[sha256Hex(token)], "alice");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve add-token: a dangling token file link is written where it points, the link kept",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/data`);
      await Deno.symlink("data/tokens.json", `${dir}/tokens.json`);
      const token = await addToken(`${dir}/tokens.json`, "alice");
      assert((await Deno.lstat(`${dir}/tokens.json`)).isSymlink, "the link was replaced");
      const doc = JSON.parse(await Deno.readTextFile(`${dir}/data/tokens.json`));
      assertEquals(doc[sha256Hex(token)], "alice");
      assertEquals(((await Deno.stat(`${dir}/data/tokens.json`)).mode! & 0o777).toString(8), "600");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "serve add-token: a loop of token file links is refused naming it, the links kept",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.symlink("b.json", `${dir}/a.json`);
      await Deno.symlink("a.json", `${dir}/b.json`);
      await assertRejects(
        () => addToken(`${dir}/a.json`, "alice"),
        InvalidInputError,
        `token file ${dir}/a.json: too many levels of symbolic links`,
      );
      assert((await Deno.lstat(`${dir}/a.json`)).isSymlink, "the link was replaced");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
