// Writes the generated protocol sources of the JS client from events-schema's protocol JSON:
//   src/codes.js   from protocol/error-codes.json    (THE error-code catalogue)
//   src/grammar.js from protocol/channel-grammar.json (THE channel grammar)
//   src/limits.js  from protocol/limits.json          (THE size limits)
// Run after editing either JSON file: `npm run sync-codes`. test/unit/generated.test.js fails while a
// generated file differs from what this script writes.
import { writeFileSync } from 'node:fs';
import { expectedSources } from './protocol-sources.mjs';

for (const { name, target, text } of await expectedSources()) {
  writeFileSync(target, text);
  console.log(`sync-codes: wrote ${name} to src/${target.pathname.split('/').pop()}`);
}
