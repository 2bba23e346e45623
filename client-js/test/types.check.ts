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
client.close();
