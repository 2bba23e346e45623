'use strict'
// Starts dynalite (in memory) on 127.0.0.1 and prints "dynalite listening on <port>".
//   node server.js [port] [--exit-with-stdin]
// port 0 (the default) picks a free port. --exit-with-stdin: exit when standard input closes, so the server never
// outlives the JVM that started it (the test harness and the benchmark pass it), even if that JVM is killed.
const dynalite = require('dynalite')

const args = process.argv.slice(2)
const port = Number(args.find((a) => /^\d+$/.test(a)) || 0)
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })

server.on('error', (err) => {
  process.stderr.write(`dynalite could not listen on 127.0.0.1:${port}: ${err.message}\n`)
  process.exit(1)
})
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`dynalite listening on ${server.address().port}\n`)
})

const stop = () => process.exit(0) // in memory: nothing to flush
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
if (args.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
}
