// The generated protocol sources (src/codes.js, src/grammar.js, src/limits.js) must be exactly what scripts/sync-codes.mjs
// writes from events-schema's protocol JSON today: edit the JSON, run `npm run sync-codes`, commit both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expectedSources, renderGrammar } from '../../scripts/protocol-sources.mjs';

test('src/codes.js, src/grammar.js and src/limits.js are up to date with the protocol JSON', async () => {
  const sources = await expectedSources();
  assert.deepEqual(
    sources.map((s) => s.name),
    ['codes', 'grammar', 'limits'],
  );
  for (const { target, text } of sources) {
    assert.equal(
      readFileSync(target, 'utf8'),
      text,
      `${fileURLToPath(target)} is stale: run \`npm run sync-codes\` in client-js`,
    );
  }
});

test('a grammar the Java and JS character classes could read differently is refused', () => {
  const good = {
    separator: '.',
    segmentCharacters: 'A-Za-z0-9_@-',
    minSegmentLength: 1,
    maxSegmentLength: 64,
    maxSegments: 8,
    maxLength: 200,
  };
  assert.match(renderGrammar(good), /\/\^\[A-Za-z0-9_@-\]\{1,64\}\$\//);
  for (const chars of ['a-z\\d', 'a-z]', '^a-z', '-a', 'a--', 'a-z[:alpha:]', ''])
    assert.throws(() => renderGrammar({ ...good, segmentCharacters: chars }), /segmentCharacters/, chars);
  assert.throws(() => renderGrammar({ ...good, maxSegments: 0 }), /maxSegments/);
  assert.throws(() => renderGrammar({ ...good, maxLength: '200' }), /maxLength/);
});
