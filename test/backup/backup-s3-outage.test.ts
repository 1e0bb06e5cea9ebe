import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrc } from '../helpers/drc.js';
import { seedPostgres, writeJson } from '../helpers/fixtures.js';
import { createPgDatabase, type TestPgDatabase } from '../helpers/postgres.js';
import { S3_TEST_SECRET, startDeadEndpoint, startS3rver, type TestS3rver } from '../helpers/s3rver.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('drc backup with the S3 target down', () => {
  let pgDb: TestPgDatabase;
  let s3: TestS3rver;
  let work: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    [pgDb, s3, work] = await Promise.all([createPgDatabase(), startS3rver(), makeTempDir()]);
    await seedPostgres(pgDb, 30);
  });
  afterAll(async () => {
    await Promise.all([pgDb?.drop(), s3?.stop(), work?.cleanup()]);
  });

  async function writeConfig(endpoint: string) {
    const file = path.join(work.dir, 'drc.json');
    await writeJson(file, {
      sources: [{ name: 'core-db', type: 'postgres', url: pgDb.url }],
      targets: [{ name: 'local', type: 'local', path: path.join(work.dir, 'backups') }, { ...s3.targetConfig('prod'), endpoint }],
      encryption: { passphraseEnv: 'DRC_PASSPHRASE' },
      stateDir: path.join(work.dir, 'state'),
    });
    return file;
  }

  it('keeps the local set and exits 1 naming the target; the next run uploads what S3 is missing', async () => {
    const env = { DRC_PASSPHRASE: 'outage-test-passphrase', ...s3.env };
    const down = await runDrc(['--config', await writeConfig(await startDeadEndpoint()), 'backup'], { env });
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/target offsite: cannot reach/);
    expect(down.stderr).toMatch(/backup OK with warnings: set \S+ on local; not on offsite/);
    const [first] = await readdir(path.join(work.dir, 'backups'));
    expect(first).toBeDefined();
    expect(down.stderr).not.toContain(S3_TEST_SECRET);

    const up = await runDrc(['--config', await writeConfig(s3.endpoint), '--json', 'backup'], { env });
    expect(up.exitCode, up.stderr).toBe(0);
    const second = (up.events.find((event) => event.type === 'result')!.data as { setId: string }).setId;

    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const listing = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'prod/' }));
    const manifests = (listing.Contents ?? []).map((object) => object.Key).filter((key) => key?.endsWith('/manifest.json'));
    expect(manifests.sort()).toEqual([`prod/${first}/manifest.json`, `prod/${second}/manifest.json`].sort());
    client.destroy();
  });
});
