import path from "node:path";
import sqlite3 from "sqlite3";

/** Worker ids of the process that owns a SQLite file start with this. */
export const SQLITE_OWNER_PREFIX = "sqlite-owner-";

export interface WorkerLock {
  /** The lock file (`<database>.worker-lock`). */
  readonly file: string;
  release(): Promise<void>;
}

/**
 * The one worker that owns a SQLite database file. On SQLite one process runs the worker: the
 * owner holds an exclusive SQLite lock on `<database>.worker-lock` (an empty SQLite file) for as long
 * as it runs. The operating system drops the lock when the process ends, however it ends (`kill -9`
 * too), so a restarted process takes it at once; while the owner lives, a second process (or a
 * second worker in the same process) cannot take it. Only the owner may take up stale claims at
 * start without waiting for their lease (their worker is certainly dead).
 *
 * Resolves to the lock, or null when another live process holds it. Throws when the lock file
 * cannot be opened (permissions).
 */
export async function acquireWorkerLock(databaseFile: string): Promise<WorkerLock | null> {
  const file = `${path.resolve(databaseFile)}.worker-lock`;
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const d = new sqlite3.Database(file, (err) => (err ? reject(err) : resolve(d)));
  });
  db.configure("busyTimeout", 0);
  const close = () => new Promise<void>((resolve) => db.close(() => resolve()));
  try {
    await new Promise<void>((resolve, reject) => db.run("BEGIN EXCLUSIVE", (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await close();
    if ((err as { code?: string }).code === "SQLITE_BUSY") return null;
    throw err;
  }
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      await close();
    },
  };
}
