import { describe, expect, it } from 'vitest';
import { MysqlRowCounter } from '../../src/sources/mysql-row-counter.js';

const dump = Buffer.from(
  [
    '-- MariaDB dump',
    "INSERT INTO `calls` VALUES (1,'a\\'b),(c',0x78),",
    "(2,'new\\nline;',NULL),",
    "(3,'q\\\\',0x7A);",
    'INSERT INTO `odd``name` VALUES (1),(2);',
    "INSERT INTO `calls` VALUES (4,'(((',NULL);",
    '-- INSERT INTO `fake` VALUES (1);',
    '-- Dump completed on 2026-11-22',
    '',
  ].join('\n'),
);

describe('MysqlRowCounter', () => {
  it('counts rows per table, not fooled by quotes, escapes, parentheses or semicolons in strings', () => {
    const counter = new MysqlRowCounter();
    counter.push(dump);
    expect(Object.fromEntries(counter.counts)).toEqual({ calls: 4, 'odd`name': 2 });
  });

  it('gives the same counts however the stream is cut into chunks', () => {
    for (const size of [1, 2, 3, 7, 64]) {
      const counter = new MysqlRowCounter();
      for (let i = 0; i < dump.length; i += size) counter.push(dump.subarray(i, i + size));
      expect(Object.fromEntries(counter.counts), `chunk size ${size}`).toEqual({ calls: 4, 'odd`name': 2 });
    }
  });
});
