import type { MysqlSourceConfig, PostgresSourceConfig } from '../config/schema.js';
import { parseDbUrl, replaceDatabase } from '../config/db-url.js';
import { tryResolveSecret } from '../config/secrets.js';

export interface PostgresConnection {
  /** libpq connection URI without a password, for pg_dump/pg_restore/psql --dbname. */
  uri: string;
  host: string | undefined;
  port: number | undefined;
  user: string | undefined;
  database: string;
  password: string | undefined;
}

/**
 * Database URLs follow the drivers' conventions (unix sockets included); the password never
 * comes from the URL (the config refuses one) but from passwordEnv/passwordFile, and reaches
 * the tools through PGPASSWORD / MYSQL_PWD, never argv.
 */
export function parsePostgresUrl(source: PostgresSourceConfig): PostgresConnection {
  const url = parseDbUrl(source.url)!;
  return {
    uri: source.url,
    host: url.host || url.params.get('host') || undefined,
    port: url.port ?? (url.params.get('port') ? Number(url.params.get('port')) : undefined),
    user: url.user || undefined,
    database: url.database,
    password: tryResolveSecret({ env: source.passwordEnv, file: source.passwordFile }, `source ${source.name} password`),
  };
}

/** The same server, another database: for restores into `<db>_restore_<time>` and scratch copies. */
export function withPostgresDatabase(connection: PostgresConnection, database: string): PostgresConnection {
  return { ...connection, uri: replaceDatabase(connection.uri, database), database };
}

export function postgresEnv(connection: PostgresConnection): Record<string, string> {
  return connection.password ? { PGPASSWORD: connection.password } : {};
}

export interface MysqlConnection {
  host: string | undefined;
  port: number | undefined;
  socket: string | undefined;
  user: string | undefined;
  database: string;
  password: string | undefined;
}

export function parseMysqlUrl(source: MysqlSourceConfig): MysqlConnection {
  const url = parseDbUrl(source.url)!;
  return {
    host: url.host || undefined,
    port: url.port,
    socket: url.params.get('socket') ?? undefined,
    user: url.user || undefined,
    database: url.database,
    password: tryResolveSecret({ env: source.passwordEnv, file: source.passwordFile }, `source ${source.name} password`),
  };
}

/** Flags shared by mariadb, mariadb-dump and mysqldump (the database name is added by callers). */
export function mysqlToolArgs(connection: MysqlConnection): string[] {
  const args: string[] = [];
  if (connection.socket) args.push(`--socket=${connection.socket}`);
  if (connection.host && !connection.socket) args.push(`--host=${connection.host}`);
  if (connection.port) args.push(`--port=${connection.port}`);
  if (connection.user) args.push(`--user=${connection.user}`);
  return args;
}

export function mysqlEnv(connection: MysqlConnection): Record<string, string> {
  return connection.password ? { MYSQL_PWD: connection.password } : {};
}

/** mysql2 connection options for the same URL. */
export function mysqlDriverOptions(connection: MysqlConnection, database = connection.database) {
  return {
    ...(connection.socket ? { socketPath: connection.socket } : { host: connection.host ?? 'localhost', port: connection.port ?? 3306 }),
    user: connection.user,
    password: connection.password,
    database,
  };
}
