import type { SourceConfig } from '../config/schema.js';
import { DrcError } from '../errors.js';
import type { DatabaseEngine } from './engine.js';

export function isDatabaseSource(source: SourceConfig): source is Extract<SourceConfig, { type: 'postgres' | 'mysql' }> {
  return source.type === 'postgres' || source.type === 'mysql';
}

/** The engine for a database source; each driver loads only when its kind of database is restored. */
export async function createEngine(source: SourceConfig): Promise<DatabaseEngine> {
  if (source.type === 'postgres') return (await import('./postgres-engine.js')).createPostgresEngine(source);
  if (source.type === 'mysql') return (await import('./mysql-engine.js')).createMysqlEngine(source);
  throw new DrcError(`source ${source.name} is a ${source.type} source, not a database`);
}

export function findSourceConfig(sources: SourceConfig[], name: string): SourceConfig {
  const found = sources.find((source) => source.name === name);
  if (!found) throw new DrcError(`unknown source "${name}"`, { hint: `configured sources: ${sources.map((source) => source.name).join(', ')}` });
  return found;
}
