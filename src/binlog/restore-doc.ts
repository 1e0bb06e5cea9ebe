import { shellQuote } from '../trust/shell-quote.js';

/** archive/<source>/RESTORE.md: replaying the archived binlogs by hand, without drc. */
export function renderBinlogRestoreDoc(source: string, location: string): string {
  const dir = shellQuote(location);
  return `# Point-in-time archive of ${source} (MySQL/MariaDB binary logs)

Each \`<binlog>.zst.gpg\` is one closed binary log file, byte for byte as the server wrote it,
compressed with zstd and encrypted with OpenPGP (the passphrase or key of the backup sets).
\`<binlog>.json\` beside it records its first and last event time, positions and checksums.

## Replay by hand after restoring a dump

1. Restore the dump of a backup set (see that set's RESTORE.md). Its manifest.json item holds
   \`binlog.file\` and \`binlog.position\`: where replay starts.
2. Decrypt every binlog from that file on, in order:

\`\`\`sh
cd ${dir}
for f in mysql-bin.0000*.zst.gpg; do
  gpg --batch --decrypt "$f" | zstd -d -q -c > "/tmp/replay/\${f%.zst.gpg}"
done
\`\`\`

3. Replay from the dump's position up to the moment before the damage, into the restored
   database (times in UTC here; \`--stop-position=POS\` stops at an event instead):

\`\`\`sh
cd /tmp/replay
TZ=UTC mariadb-binlog --start-position=POSITION --stop-datetime='2026-12-02 17:59:30' \\
  --database=ORIGINAL_DB --rewrite-db='ORIGINAL_DB->RESTORED_DB' mysql-bin.000041 mysql-bin.000042 \\
  | mariadb RESTORED_DB
\`\`\`

\`--start-position\` applies to the first file only. Check the rows, then swap the restored
database in for the live one.
`;
}
