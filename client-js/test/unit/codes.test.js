// codes.js must be an exact copy of THE error-code catalogue (events-schema .../protocol/error-codes.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ERROR_CODES,
  ErrorCodes,
  errorCodeInfo,
  RealtimeError,
  errorFromFrame,
  ClientErrorCodes,
} from '../../src/index.js';
import { RETRYABLE_CODES } from '../../src/codes.js';

const catalogueUrl = new URL(
  '../../../events-schema/catalog/src/main/resources/com/pyerp/realtime/events/protocol/error-codes.json',
  import.meta.url,
);
const catalogue = JSON.parse(readFileSync(catalogueUrl, 'utf8'));

test('codes.js equals error-codes.json, entry by entry and in order', () => {
  assert.deepEqual(
    ERROR_CODES.map((c) => ({ ...c })),
    catalogue.codes,
    `client-js/src/codes.js differs from ${fileURLToPath(catalogueUrl)}: run \`npm run sync-codes\` in client-js`,
  );
});

test('RETRYABLE_CODES are exactly the catalogue codes marked retryable', () => {
  assert.deepEqual([...RETRYABLE_CODES], ['REGISTRY_UNAVAILABLE', 'INTERNAL_ERROR']);
  for (const c of ERROR_CODES) assert.equal(typeof c.retryable, 'boolean', c.code);
});

test('ErrorCodes and errorCodeInfo look codes up by name and by number', () => {
  assert.equal(ErrorCodes.CHANNEL_FORBIDDEN.number, 4405);
  assert.equal(ErrorCodes.NOT_CONNECTED.keepsConnection, false);
  assert.equal(errorCodeInfo(4503)?.code, 'REGISTRY_UNAVAILABLE');
  assert.equal(errorCodeInfo('UNAUTHORIZED')?.number, 401);
  assert.equal(errorCodeInfo('toString'), undefined);
  assert.equal(errorCodeInfo(9999), undefined);
});

test('client-only codes never collide with catalogue codes', () => {
  for (const code of Object.keys(ClientErrorCodes)) assert.equal(errorCodeInfo(code), undefined, code);
});

test('docs/protocol.md lists every catalogue code with its number', () => {
  const docs = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  for (const c of catalogue.codes) {
    assert.match(
      docs,
      new RegExp(`\\|\\s*\`${c.code}\`\\s*\\|\\s*${c.number}\\s*\\|`),
      `${c.code} ${c.number} missing from the docs table`,
    );
  }
});

test('errorFromFrame carries the server code, number and message', () => {
  const err = errorFromFrame(
    { type: 'error', id: 'c7', code: 'CHANNEL_FORBIDDEN', message: 'no warehouse WH-9' },
    { action: 'subscribe', channel: 'inventory.warehouse.WH-9' },
  );
  assert.ok(err instanceof RealtimeError);
  assert.equal(err.code, 'CHANNEL_FORBIDDEN');
  assert.equal(err.number, 4405);
  assert.equal(err.keepsConnection, true);
  assert.equal(err.source, 'server');
  assert.equal(err.message, 'no warehouse WH-9');
  assert.equal(err.id, 'c7');
  assert.equal(err.channel, 'inventory.warehouse.WH-9');
  const unknown = errorFromFrame({ type: 'error', code: 'SOMETHING_NEW' });
  assert.equal(unknown.code, 'SOMETHING_NEW');
  assert.equal(unknown.number, null);
  const client = new RealtimeError('CONNECTION_LOST');
  assert.equal(client.source, 'client');
  assert.equal(client.message, ClientErrorCodes.CONNECTION_LOST.description);
});
