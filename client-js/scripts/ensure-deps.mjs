// Installs client-js's npm devDependencies with `npm ci` unless node_modules already holds exactly the
// versions of package-lock.json (idempotent, and offline when nothing is missing). Called by the Maven
// build (pom.xml) and usable by hand: `node scripts/ensure-deps.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));

/** Packages of the lock file whose installed version differs or is missing. */
function stale() {
  const out = [];
  for (const [path, meta] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || meta.optional) continue;
    const manifest = new URL(`../${path}/package.json`, import.meta.url);
    if (!existsSync(manifest)) {
      out.push(`${path} (missing)`);
      continue;
    }
    const installed = JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (installed !== meta.version) out.push(`${path} (${installed} installed, ${meta.version} locked)`);
  }
  return out;
}

const before = stale();
if (before.length === 0) {
  console.log('ensure-deps: node_modules matches package-lock.json, nothing to install');
} else {
  console.log(`ensure-deps: running npm ci (${before.join(', ')})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  const after = stale();
  if (after.length > 0) {
    console.error(`ensure-deps: npm ci did not install ${after.join(', ')}`);
    process.exit(1);
  }
}
