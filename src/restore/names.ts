/** 20261122020000: sorts by time and fits in a database or folder name. */
export function restoreStamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, '').replace(/[-:T]/g, '');
}

/**
 * `<db>_restore_<stamp>`, `<db>_before_<stamp>`, `<db>_drill_<stamp>`: the base is shortened so
 * the whole name fits PostgreSQL's 63-byte (and MySQL's 64-character) identifier limit.
 */
export function derivedDatabaseName(database: string, role: 'restore' | 'before' | 'drill' | 'verify', time: Date): string {
  const suffix = `_${role}_${restoreStamp(time)}`;
  return database.slice(0, 63 - suffix.length) + suffix;
}

export function quotePgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteMysqlIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}
