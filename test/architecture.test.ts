import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/drc.js';

/** The engine must run where no terminal UI is installed: cron, systemd, CI. */
const FORBIDDEN = /^(ink|ink-[\w-]+|react|react-[\w-]+|react\/.*|@inkjs\/.*)$/;

async function listSourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every module specifier a file imports, statically or dynamically, or re-exports from. */
function findImports(text: string): string[] {
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

function isForbidden(file: string, specifier: string): boolean {
  if (FORBIDDEN.test(specifier)) return true;
  if (!specifier.startsWith('.')) return false;
  const resolved = path.resolve(path.dirname(file), specifier);
  return resolved.startsWith(path.join(ROOT, 'screens') + path.sep);
}

describe('architecture', () => {
  it('keeps src/ free of ink, react and screens/ imports', async () => {
    const offenders: string[] = [];
    for (const file of await listSourceFiles(path.join(ROOT, 'src'))) {
      const text = await readFile(file, 'utf8');
      for (const specifier of findImports(text)) {
        if (isForbidden(file, specifier)) offenders.push(`${path.relative(ROOT, file)} imports "${specifier}"`);
      }
      if (file.endsWith('.tsx')) offenders.push(`${path.relative(ROOT, file)} is JSX: UI code belongs in screens/`);
    }
    expect(offenders).toEqual([]);
  });

  it('recognises the imports it forbids', () => {
    const sample = `import { render } from 'ink';\nimport React from "react";\nconst x = await import('ink-text-input');\nimport '../../screens/app.js';`;
    const file = path.join(ROOT, 'src/cli/x.ts');
    expect(findImports(sample).filter((specifier) => isForbidden(file, specifier))).toEqual([
      'ink',
      'react',
      'ink-text-input',
      '../../screens/app.js',
    ]);
  });
});
