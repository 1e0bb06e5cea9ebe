import mysql from 'mysql2/promise';
import { uniqueSuffix } from './tmp.js';

/** The machine's MariaDB: root over the unix socket, no password. */
export const MARIADB_SOCKET = '/run/mysqld/mysqld.sock';

export interface TestMariaDatabase {
  name: string;
  url: string;
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
  drop(): Promise<void>;
}

export async function mariaAdmin(): Promise<mysql.Connection> {
  return mysql.createConnection({ socketPath: MARIADB_SOCKET, user: 'root', multipleStatements: true });
}

export async function createMariaDatabase(prefix = 'drc_test'): Promise<TestMariaDatabase> {
  const name = `${prefix}_${uniqueSuffix()}`.toLowerCase();
  const admin = await mariaAdmin();
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const pool = mysql.createPool({ socketPath: MARIADB_SOCKET, user: 'root', database: name, multipleStatements: true, connectionLimit: 2 });
  return {
    name,
    url: `mysql://root@localhost/${name}?socket=${MARIADB_SOCKET}`,
    query: async <T>(sql: string, params?: unknown[]) => (await pool.query(sql, params))[0] as T,
    drop: async () => {
      await pool.end();
      const conn = await mariaAdmin();
      const [rows] = await conn.query(`SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?`, [`${name}%`]);
      for (const row of rows as Array<{ name: string }>) await conn.query(`DROP DATABASE IF EXISTS \`${row.name}\``);
      await conn.end();
    },
  };
}
