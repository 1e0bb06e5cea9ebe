import { open } from 'node:fs/promises';
import { DrcError } from '../errors.js';
import type { ArchiveFileFacts } from '../archive/index.js';

/** "\xfebin": every binlog file starts with it. */
const MAGIC = Buffer.from([0xfe, 0x62, 0x69, 0x6e]);
const HEADER_BYTES = 19;
const GTID_EVENT = 162;
const FORMAT_DESCRIPTION_EVENT = 15;

/**
 * What the index entry records about one binlog file, read from the event headers alone
 * (timestamp, type, server id, length; MariaDB GTID events for the GTID range). Headers
 * only, so a 1 GiB binlog costs a few thousand small reads, not its size in memory.
 */
export async function readBinlogFacts(file: string): Promise<ArchiveFileFacts> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    if (size < 4 || !magic.equals(MAGIC)) throw new DrcError(`${file} is not a binary log (no binlog magic bytes)`);
    const header = Buffer.alloc(HEADER_BYTES + 12);
    let position = 4;
    let first: number | undefined;
    let last: number | undefined;
    let serverId: number | undefined;
    let startPosition: number | undefined;
    const gtids = new Map<string, { server: number; min: bigint; max: bigint }>();
    while (position + HEADER_BYTES <= size) {
      const { bytesRead } = await handle.read(header, 0, header.length, position);
      if (bytesRead < HEADER_BYTES) break;
      const timestamp = header.readUInt32LE(0);
      const type = header.readUInt8(4);
      const eventServer = header.readUInt32LE(5);
      const length = header.readUInt32LE(9);
      if (length < HEADER_BYTES || position + length > size) break; // a torn last event: stop before it
      if (timestamp > 0) {
        first ??= timestamp;
        last = timestamp;
      }
      if (type === FORMAT_DESCRIPTION_EVENT) serverId ??= eventServer;
      else startPosition ??= position;
      if (type === GTID_EVENT && bytesRead >= HEADER_BYTES + 12) {
        const seq = header.readBigUInt64LE(HEADER_BYTES);
        const domain = header.readUInt32LE(HEADER_BYTES + 8);
        const key = `${domain}-${eventServer}`;
        const known = gtids.get(key);
        if (!known) gtids.set(key, { server: eventServer, min: seq, max: seq });
        else {
          if (seq < known.min) known.min = seq;
          if (seq > known.max) known.max = seq;
        }
      }
      position += length;
    }
    const gtidSet = [...gtids.entries()].map(([key, range]) => (range.min === range.max ? `${key}-${range.min}` : `${key}-${range.min}..${range.max}`)).join(',');
    return {
      ...(first !== undefined ? { firstEventAt: new Date(first * 1000).toISOString() } : {}),
      ...(last !== undefined ? { lastEventAt: new Date(last * 1000).toISOString() } : {}),
      mysql: {
        startPosition: startPosition ?? 4,
        endPosition: position,
        ...(gtidSet ? { gtidSet } : {}),
        ...(serverId !== undefined ? { serverId } : {}),
      },
    };
  } finally {
    await handle.close();
  }
}
