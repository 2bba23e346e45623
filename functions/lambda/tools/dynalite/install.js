'use strict'
// Installs dynalite for the registry tests with `npm ci` from the committed package-lock.json, unless the
// installed tree already matches that lock file. Run by functions/lambda/pom.xml (generate-test-resources).
const { createHash } = require('crypto')
const { spawnSync } = require('child_process')
const fs = require('fs')
const path = require('path')

const dir = __dirname
const major = Number(process.versions.node.split('.')[0])
if (major < 20) {
  console.error(`dynalite 4 needs node 20 or newer; this is node ${process.versions.node}`)
  process.exit(1)
}
const lock = fs.readFileSync(path.join(dir, 'package-lock.json'))
const want = createHash('sha256').update(lock).digest('hex')
const stamp = path.join(dir, 'node_modules', '.pyerp-lock-sha256')
const installed = fs.existsSync(path.join(dir, 'node_modules', 'dynalite', 'package.json')) &&
  fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want
if (installed) {
  console.log('dynalite: up to date with package-lock.json')
  process.exit(0)
}
console.log('dynalite: npm ci in ' + dir)
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'],
  { cwd: dir, stdio: 'inherit', shell: process.platform === 'win32' })
if (r.error || r.status !== 0) {
  console.error('dynalite: npm ci failed' + (r.error ? ': ' + r.error.message : ' with exit code ' + r.status))
  process.exit(1)
}
fs.writeFileSync(stamp, want + '\n')
