// The channel grammar comes from its one definition (events-schema protocol/channel-grammar.json): the JS
// checks accept and refuse the same examples as the server's ChannelNames (ChannelsAndVisibilityTest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { channelProblem, assertChannel, RealtimeError } from '../../src/index.js';
import { CHANNEL_GRAMMAR, CHANNEL_GRAMMAR_DESCRIPTION } from '../../src/grammar.js';
import { SOURCES } from '../../scripts/protocol-sources.mjs';

const grammar = JSON.parse(readFileSync(SOURCES.grammar.json, 'utf8'));

test('the grammar constants are the JSON definition', () => {
  for (const key of Object.keys(CHANNEL_GRAMMAR))
    assert.equal(/** @type {any} */ (CHANNEL_GRAMMAR)[key], grammar[key], key);
  assert.equal(
    CHANNEL_GRAMMAR_DESCRIPTION,
    'dot-separated segments of [A-Za-z0-9_@-], 1-64 characters each, at most 8 segments and 200 characters',
  );
});

test('every valid example of the definition is accepted', () => {
  assert.ok(grammar.examples.valid.length > 0);
  for (const channel of grammar.examples.valid) assert.equal(channelProblem(channel), null, channel);
});

test('every invalid example of the definition is refused with INVALID_CHANNEL', () => {
  assert.ok(grammar.examples.invalid.length > 0);
  for (const channel of grammar.examples.invalid) {
    assert.notEqual(channelProblem(channel), null, channel);
    assert.throws(
      () => assertChannel(channel),
      (e) => e instanceof RealtimeError && e.code === 'INVALID_CHANNEL',
      channel,
    );
  }
});

test('docs/protocol.md names the definition and states the same numbers', () => {
  const docs = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  assert.match(docs, /protocol\/channel-grammar\.json/);
  assert.match(
    docs,
    new RegExp(
      `1–${grammar.maxSegmentLength} characters each, at most ${grammar.maxSegments} segments and ${grammar.maxLength} characters`,
    ),
  );
});
