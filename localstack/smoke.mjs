// The LocalStack smoke test (see smoke.sh). Uses the project's own browser client library.
import { readFileSync } from 'node:fs';
import { RealtimeClient } from '../client-js/src/index.js';

const outputs = Object.values(JSON.parse(readFileSync(new URL('./cdk-outputs.json', import.meta.url))))[0];
const url = outputs.WebSocketUrl.replace(/^wss:\/\/([^.]+)\.execute-api\.[^/]+/, 'ws://$1.execute-api.localhost.localstack.cloud:4566');
const bus = outputs.EventBusName;
const fail = (msg) => { console.error(`smoke: FAIL ${msg}`); process.exit(1); };
setTimeout(() => fail('no event within 60 s'), 60_000).unref();

const client = new RealtimeClient({ url, token: process.env.TOKEN });
let unsubscribe;
const received = new Promise((resolve) => { unsubscribe = client.subscribe('inventory.warehouse.WH-1', resolve); });
client.connect();
await unsubscribe.ready; // the server acked the subscription
const detail = { tenantId: 'acme', warehouseId: 'WH-1', sku: 'SMOKE-1', onHand: 1, available: 1, changedAt: new Date().toISOString() };
const res = await fetch('http://localhost:4566/', {
  method: 'POST',
  headers: {
    'X-Amz-Target': 'AWSEvents.PutEvents',
    'Content-Type': 'application/x-amz-json-1.1',
    // LocalStack routes by the credential scope; it does not check the signature
    Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=0',
  },
  body: JSON.stringify({ Entries: [{ Source: 'pyerp.inventory', DetailType: 'StockLevelChanged', EventBusName: bus, Detail: JSON.stringify(detail) }] }),
});
const put = await res.json();
if (put.FailedEntryCount !== 0) fail(`PutEvents: ${JSON.stringify(put)}`);
const event = await received;
if (event.data?.sku !== 'SMOKE-1') fail(`unexpected event ${JSON.stringify(event)}`);
console.log(`smoke: ok, received ${event.eventType} ${event.eventId} on ${event.channel}`);
client.close();
process.exit(0);
