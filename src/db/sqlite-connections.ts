import type { Sequelize } from "sequelize";

interface SqliteConnection {
  uuid?: string;
  configure(option: "busyTimeout", ms: number): void;
  run(sql: string, cb?: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
}

interface SqliteConnectionManager {
  connections: Record<string, SqliteConnection>;
  getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection, force?: boolean): void;
}

const configured = new WeakSet<SqliteConnection>();

/**
 * Sequelize's SQLite dialect opens a new database connection for every transaction and closes it
 * afterwards, and never runs connection hooks. For an app that writes on every request that means a
 * file open, a schema parse and default pragmas per event. Here:
 * - every connection gets a busy timeout (waits for the writer instead of failing) and
 *   `synchronous=NORMAL` (safe with WAL: a commit is durable against a process crash);
 * - transactions, which Database.transaction() already runs one at a time, share one long-lived
 *   connection instead of opening their own.
 * WAL itself is a property of the database file, set once when it is opened.
 */
export function tuneSqliteConnections(sequelize: Sequelize): void {
  const cm = (sequelize as unknown as { connectionManager: SqliteConnectionManager }).connectionManager;
  const getConnection = cm.getConnection.bind(cm);
  const releaseConnection = cm.releaseConnection.bind(cm);
  let txConnection: SqliteConnection | null = null;

  const configure = (c: SqliteConnection) => {
    if (configured.has(c)) return c;
    configured.add(c);
    c.configure("busyTimeout", 10_000);
    c.run("PRAGMA synchronous=NORMAL");
    return c;
  };

  cm.getConnection = async (options = {}) => {
    const isTransaction = Boolean(options.uuid && options.uuid !== "default");
    if (!isTransaction) return configure(await getConnection(options));
    if (!txConnection) {
      txConnection = configure(await getConnection({ ...options, uuid: "relay-transactions" }));
      delete cm.connections["relay-transactions"]; // owned here, not by Sequelize's uuid map
    }
    return txConnection;
  };

  cm.releaseConnection = (connection, force) => {
    if (connection === txConnection && !force) return;
    releaseConnection(connection, force);
  };

  const close = sequelize.close.bind(sequelize);
  sequelize.close = async () => {
    const c = txConnection;
    txConnection = null;
    if (c) await new Promise<void>((resolve) => c.close(() => resolve()));
    return close();
  };
}
