// Starts the real local gateway (local-gateway/target/realtime-local-gateway-all.jar) for the integration
// and browser tests, on a free port, and talks to its local endpoints (/local/token, PutEvents,
// /local/connections, @connections). Contract: the gateway prints one line `READY {json}` on stdout once it listens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const CLIENT_JS = fileURLToPath(new URL('../..', import.meta.url));
export const GATEWAY_JAR = process.env.LOCAL_GATEWAY_JAR
  ? resolve(process.env.LOCAL_GATEWAY_JAR)
  : resolve(CLIENT_JS, '../local-gateway/target/realtime-local-gateway-all.jar');

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

/**
 * @typedef {object} Gateway
 * @property {number} port
 * @property {string} base      http://localhost:P
 * @property {string} ws        ws://localhost:P/local
 * @property {string} console   http://localhost:P/
 * @property {any} ready        the READY json
 * @property {() => string} output  what the gateway printed so far (for failure messages)
 * @property {() => Promise<void>} stop
 */

/**
 * Starts the gateway and waits for its READY line.
 * @param {{ timeoutMs?: number, args?: string[] }} [options]
 * @returns {Promise<Gateway>}
 */
export async function startGateway({ timeoutMs = 60_000, args = [] } = {}) {
  if (!existsSync(GATEWAY_JAR)) {
    throw new Error(
      `The local gateway jar is missing: ${GATEWAY_JAR}\n` +
        'The integration and browser tests run against the real gateway. Build it first, from the repository root:\n' +
        '  mvn -q -B -pl local-gateway -am package -DskipTests\n' +
        'or point LOCAL_GATEWAY_JAR at a built realtime-local-gateway-all.jar.',
    );
  }
  const java = process.env.JAVA_HOME ? resolve(process.env.JAVA_HOME, 'bin/java') : 'java';
  const child = spawn(java, ['-jar', GATEWAY_JAR, '--port', '0', '--stage', 'local', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let stdoutBuffer = '';
  /** @type {any} */
  let ready = null;
  const exited = new Promise((res) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      res({ code, signal });
    }),
  );
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    output += d;
  });
  child.stdout.setEncoding('utf8');

  const started = new Promise((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`the local gateway printed no READY line within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    child.stdout.on('data', (d) => {
      output += d;
      stdoutBuffer += d;
      let nl;
      while ((nl = stdoutBuffer.indexOf('\n')) >= 0) {
        const line = stdoutBuffer.slice(0, nl).trim();
        stdoutBuffer = stdoutBuffer.slice(nl + 1);
        if (!ready && line.startsWith('READY ')) {
          try {
            ready = JSON.parse(line.slice(6));
          } catch (e) {
            clearTimeout(timer);
            rej(new Error(`unreadable READY line from the local gateway: ${line}`));
            return;
          }
          clearTimeout(timer);
          res(ready);
        }
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      rej(new Error(`could not start '${java}': ${e.message}`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`the local gateway exited (${code ?? signal}) before READY:\n${output}`));
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await started;
  } catch (e) {
    await stop();
    throw e;
  }
  if (!Number.isInteger(ready.port)) {
    await stop();
    throw new Error(`READY line without a port: ${JSON.stringify(ready)}`);
  }
  const base = `http://localhost:${ready.port}`;
  return {
    port: ready.port,
    base,
    ws: ready.ws ?? `ws://localhost:${ready.port}/local`,
    console: ready.console ?? `${base}/`,
    ready,
    output: () => output,
    stop,
  };
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 */
async function http(url, init) {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * A dev token from the gateway (GET /local/token).
 * @param {Gateway} gw
 * @param {{ sub: string, tenant?: string, roles?: string, warehouses?: string, ttl?: number }} claims
 * @returns {Promise<string>}
 */
export async function mintToken(
  gw,
  { sub, tenant = 'acme', roles = 'inventory:read,sales:read,production:read', warehouses = '*', ttl },
) {
  const q = new URLSearchParams({ sub, tenant, roles, warehouses });
  if (ttl !== undefined) q.set('ttl', String(ttl));
  const reply = await http(`${gw.base}/local/token?${q}`);
  if (typeof reply?.token !== 'string')
    throw new Error(`/local/token answered without a token: ${JSON.stringify(reply)}`);
  return reply.token;
}

/**
 * Publishes one ERP event through the gateway's EventBridge PutEvents endpoint; returns its EventId.
 * @param {Gateway} gw
 * @param {{ source: string, detailType: string, detail: object }} event
 */
export async function putEvent(gw, { source, detailType, detail }) {
  const reply = await http(`${gw.base}/`, {
    method: 'POST',
    headers: { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({
      Entries: [
        {
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          EventBusName: 'erp-events',
        },
      ],
    }),
  });
  if (reply.FailedEntryCount !== 0 || !reply.Entries?.[0]?.EventId)
    throw new Error(`PutEvents failed: ${JSON.stringify(reply)}`);
  return /** @type {string} */ (reply.Entries[0].EventId);
}

/** @param {Gateway} gw @returns {Promise<Array<{ connectionId: string, userId: string, tenant: string, connectedAt: string, channels: string[] }>>} */
export function listConnections(gw) {
  return http(`${gw.base}/local/connections`);
}

/** Closes a connection server-side through the management API (DELETE /{stage}/@connections/{id}). @param {Gateway} gw @param {string} id */
export async function deleteConnection(gw, id) {
  const management = gw.ready.connections ?? `${gw.base}/local/@connections`;
  const response = await fetch(`${management}/${encodeURIComponent(id)}`, { method: 'DELETE' });
  if (response.status !== 204 && response.status !== 200)
    throw new Error(`DELETE @connections/${id}: HTTP ${response.status} ${await response.text()}`);
}

/** A StockLevelChanged detail for warehouse WH-1 of tenant acme. @param {number} onHand */
export function stockLevelChanged(onHand) {
  return {
    source: 'pyerp.inventory',
    detailType: 'StockLevelChanged',
    detail: {
      tenantId: 'acme',
      warehouseId: 'WH-1',
      sku: 'SKU-1001',
      onHand,
      available: onHand - 2,
      changedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  };
}

/**
 * Resolves with the first value `listen` passes to its callback, or rejects after `ms`.
 * @template T
 * @param {(done: (value: T) => void) => (void | (() => void))} listen
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
export function waitFor(listen, ms, what) {
  return new Promise((res, rej) => {
    /** @type {void | (() => void)} */
    // eslint-disable-next-line prefer-const -- the timer below may read it before listen() returns
    let off;
    const timer = setTimeout(() => {
      if (off) off();
      rej(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    off = listen((value) => {
      clearTimeout(timer);
      if (off) off();
      res(value);
    });
  });
}

/**
 * Polls `check` until it returns a truthy value.
 * @template T
 * @param {() => Promise<T>} check
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
export async function poll(check, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Fails when the gateway serves other console/library files than those on disk: the jar bundles client-js
 * when it is built, so a jar built before the last edit would make the browser test test old code.
 * @param {Gateway} gw
 */
export async function assertServesCurrentSources(gw) {
  const { readdirSync, readFileSync } = await import('node:fs');
  const pairs = [
    ...readdirSync(resolve(CLIENT_JS, 'console')).map((f) => [`console/${f}`, `/console/${f}`]),
    ...readdirSync(resolve(CLIENT_JS, 'src')).map((f) => [`src/${f}`, `/client/${f}`]),
    ['console/index.html', '/'],
  ];
  const stale = [];
  for (const [file, path] of pairs) {
    const response = await fetch(`${gw.base}${path}`);
    const served = response.ok ? await response.text() : `HTTP ${response.status}`;
    if (served !== readFileSync(resolve(CLIENT_JS, file), 'utf8')) stale.push(`${path} (client-js/${file})`);
  }
  if (stale.length > 0) {
    throw new Error(
      `The gateway jar ${GATEWAY_JAR} serves other files than client-js on disk: ${stale.join(', ')}.\n` +
        'It bundles client-js when it is built: rebuild it (mvn -q -B -pl local-gateway -am package -DskipTests).',
    );
  }
}
