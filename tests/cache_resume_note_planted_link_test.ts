/**
 * The resume note of a large download (`.<name>.vc-tmp-0-resume`) sits at a
 * name anyone can predict. In a cache dir another local user can write to
 * (one left in `/tmp`), a link or a hard link planted there after vc removed
 * the old note must never make vc's note overwrite the file it points to:
 * the note goes into a file of vc's own, and the planted file is untouched.
 */
import { assert, assertEquals } from "./assert.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { partialResume } from "../src/cache/partial_download.ts";
import { resumeStatePathFor } from "../src/atomic_write.ts";

const INFO = { key: "a", size: 10, etag: "e", lastModified: new Date(0) };

for (const kind of ["symlink", "hard link"] as const) {
  Deno.test(`a ${kind} planted at a resume note's name is not written through`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-note-link-" });
    try {
      const outside = `${dir}/outside.txt`;
      await Deno.writeTextFile(outside, "precious contents of another file\n");
      await Deno.mkdir(`${dir}/cache`);
      const dataPath = `${dir}/cache/a`;
      using lock = await acquireEntryLock(dataPath, { keepPartial: true });
      const resume = partialResume(lock.temp, dataPath, 0, "s3://b/a", "");
      // The download removed any old note; the attacker plants theirs.
      resume.forget();
      const note = resumeStatePathFor(dataPath);
      if (kind === "symlink") await Deno.symlink(outside, note);
      else await Deno.link(outside, note);
      await lock.temp.file.write(new Uint8Array(4));
      assert(resume.save(INFO, 4));
      assertEquals(await Deno.readTextFile(outside), "precious contents of another file\n");
      const own = await Deno.lstat(note);
      assert(own.isFile && own.nlink === 1, "the note is a file of its own");
      assertEquals(JSON.parse(await Deno.readTextFile(note)).done, 4);
      lock.temp.keepsPartial = true;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
