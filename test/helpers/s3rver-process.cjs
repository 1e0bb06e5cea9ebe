// Runs s3rver in its own node process, started by test/helpers/s3rver.ts with
// --openssl-legacy-provider: s3rver's continuation tokens use DES, which OpenSSL 3 only has in
// the legacy provider, so listing more than 1000 keys fails inside an ordinary test worker.
// Prints {"port":N} once listening; exits when its parent closes stdin (or dies).
'use strict';
const S3rver = require('s3rver');
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');

// A key pair whose secret differs from its id, so tests can prove the secret never leaks.
DUMMY_ACCOUNT.createKeyPair(process.env.DRC_TEST_S3_KEY_ID, process.env.DRC_TEST_S3_SECRET_VALUE);

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });

server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\n'),
  (error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error) + '\n');
    process.exit(1);
  },
);
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
