import { createCipheriv } from "node:crypto";
import { createGzip } from "node:zlib";
import type { Readable } from "node:stream";
import { pack } from "tar-stream";
import { environmentTemplate } from "../../test/integrations/proton/archives";

const MIB = 1024 * 1024;
export const ARCHIVE_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** Deterministic, incompressible bytes (AES-CTR keystream), so both runs upload the same archive. */
function* keystream(total: number): Generator<Buffer> {
  const cipher = createCipheriv("aes-128-ctr", Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  const zero = Buffer.alloc(MIB);
  for (let done = 0; done < total; done += MIB) yield cipher.update(zero.subarray(0, Math.min(MIB, total - done)));
}

/**
 * A Bitbucket-shaped tar.gz of about `totalMiB` MiB, generated as it is read (never held in memory):
 * one Proton environment template folder (`env/v1`: schema, manifest, CloudFormation), then 16 MiB
 * files of incompressible bytes. `commit` names the top folder as Bitbucket does.
 */
export function generatedArchive(totalMiB: number, commit = ARCHIVE_COMMIT): Readable {
  const p = pack();
  void (async () => {
    const top = `acme-widgets-${commit.slice(0, 12)}`;
    const add = (name: string, body: Buffer) => new Promise<void>((res, rej) => p.entry({ name, mtime: new Date(0) }, body, (e) => (e ? rej(e) : res())));
    for (const [name, body] of Object.entries(environmentTemplate("env/v1"))) await add(`${top}/${name}`, Buffer.from(body));
    const fileBytes = 16 * MIB;
    const stream = keystream(totalMiB * MIB);
    for (let i = 0; i * fileBytes < totalMiB * MIB; i++) {
      const size = Math.min(fileBytes, totalMiB * MIB - i * fileBytes);
      await new Promise<void>((resolve, reject) => {
        const entry = p.entry({ name: `${top}/data/blob-${i}.bin`, size, mtime: new Date(0) }, (e) => (e ? reject(e) : resolve()));
        let written = 0;
        const pump = () => {
          while (written < size) {
            const chunk = stream.next().value as Buffer;
            written += chunk.length;
            if (!entry.write(chunk)) return void entry.once("drain", pump);
          }
          (entry as unknown as NodeJS.WritableStream).end();
        };
        pump();
      });
    }
    p.finalize();
  })().catch((err: Error) => p.destroy(err));
  return (p as unknown as Readable).pipe(createGzip({ level: 1 }));
}

