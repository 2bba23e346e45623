// Compiled (never run) by `npm run typecheck`: the public types of src/index.d.ts, used as an application would.
import {
  RealtimeClient,
  RealtimeError,
  ErrorCodes,
  State,
  type RealtimeEvent,
  type CloseInfo,
} from '../src/index.js';

interface StockLevel {
  sku: string;
  onHand: number;
}

const client = new RealtimeClient({
  url: 'wss://example.test/prod',
  token: async () => 'h.p.s',
  maxDelay: 10_000,
});
const off = client.subscribe<StockLevel>('inventory.warehouse.WH-1', (e) => {
  const onHand: number = e.data.onHand;
  void onHand;
});
off.ready.catch((e: RealtimeError) => e.code === ErrorCodes.CHANNEL_FORBIDDEN.code);
void off();
client.on('closed', (info: CloseInfo) => {
  const reason: string = info.reason;
  void reason;
});
client.on('state', (s) => s.state === State.OPEN);
client.on('reconnecting', (s) => s.delay);
client.onEventType('StockLevelChanged', (e: RealtimeEvent) => e.eventId);
const n: number | null = new RealtimeError('CONNECTION_LOST').number;
void n;
void client
  .connect()
  .then(() => client.ping())
  .then((p) => p.rtt);
client.on('recovery', (r) => (r.recovered ? r.missed : r.offset));
client.on('join', (j) => j.member.userId);
client.on('clientMessage', (m) => m.from.userId);
const room = client.subscribe('sales.order.SO-1', () => {}, { recover: { offset: 3, epoch: 'e' } });
const pos: { offset: number; epoch: string } | null = room.subscription.position();
void pos;
void client.presence('sales.order.SO-1').then((members) => members.map((m) => m.connections));
void client.publish('sales.order.SO-1', { kind: 'editing', field: 'deliveryDate' });
client.close();
const watched = client.subscribe('inventory.warehouse.WH-2', () => {});
const offState = watched.subscription.on('state', (c) => `${c.previous}→${c.state}:${c.reason}`);
watched.subscription.once('failed', (c) => c.error?.code);
offState();
const terminal: boolean = watched.subscription.terminal;
void terminal;
