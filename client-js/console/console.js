// The debug console: a page of the local gateway that drives the client library (/client/index.js).
// It needs no configuration: the gateway tells the stage and the sample events (GET /local/info) and
// mints dev tokens (GET /local/token). Everything rendered from the network goes through textContent.
import { RealtimeClient } from '/client/index.js';

const MAX_LOG = 300;
const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {RealtimeClient | null} */
let client = null;
/** Channels the user subscribed to, kept across reconnects with another token. @type {Map<string, () => Promise<void>>} */
const channels = new Map();
/** @type {any} */
let info = null;
let eventCount = 0;

main().catch((error) => log('error', 'console failed to start', String(error?.stack ?? error)));

async function main() {
  info = await getJson('/local/info');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  $('ws-url').textContent = `${scheme}://${location.host}/${info.stage}`;
  fillEventPicker(info.events ?? []);

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    connect();
  });
  $('disconnect-btn').addEventListener('click', disconnect);
  $('ping-btn').addEventListener('click', ping);
  $('subscribe-form').addEventListener('submit', (e) => {
    e.preventDefault();
    subscribe(/** @type {HTMLInputElement} */ ($('subscribe-channel')).value.trim());
  });
  $('publish-form').addEventListener('submit', (e) => {
    e.preventDefault();
    publish();
  });
  $('publish-event').addEventListener('change', showExample);
  $('clear-btn').addEventListener('click', () => {
    $('events').replaceChildren();
    eventCount = 0;
    $('event-count').textContent = '0';
  });
  $('connections-refresh').addEventListener('click', refreshConnections);
  connect();
}

// ------------------------------------------------------------------ connection

function tokenQuery() {
  const v = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ ($(id)).value.trim();
  return new URLSearchParams({
    sub: v('token-sub'),
    tenant: v('token-tenant'),
    roles: v('token-roles'),
    warehouses: v('token-warehouses'),
  });
}

/** A fresh dev token from the gateway; called by the client before every (re)connect. */
async function fetchToken() {
  const reply = await getJson(`/local/token?${tokenQuery()}`);
  $('claims').textContent = JSON.stringify(reply.claims);
  return reply.token;
}

function connect() {
  if (client) client.close();
  const c = new RealtimeClient({ url: $('ws-url').textContent ?? '', token: fetchToken });
  client = c;
  c.on('state', (/** @type {any} */ s) => {
    if (client !== c) return;
    showState(s.state, s);
    const detail = [
      s.reason,
      s.attempt ? `attempt ${s.attempt}` : '',
      s.delay !== undefined ? `in ${s.delay} ms` : '',
      s.code ?? '',
    ]
      .filter(Boolean)
      .join(', ');
    log('lifecycle', `${s.previous} → ${s.state}`, detail);
  });
  c.on('reconnecting', (/** @type {any} */ s) => {
    if (client === c && s.previous === 'reconnecting')
      log('lifecycle', 'retry', `${s.reason}, attempt ${s.attempt} in ${s.delay} ms`);
  });
  c.on('disconnected', (/** @type {any} */ d) =>
    log(
      'lifecycle',
      'socket closed',
      `code ${d.code}${d.reason ? ` (${d.reason})` : ''}${d.opened ? '' : ', before open'}`,
    ),
  );
  c.on('event', (/** @type {any} */ e) => {
    logEvent(e);
    if (client === c) renderSubscriptions(c.subscriptions);
  });
  c.on('message', (/** @type {any} */ frame) => {
    if (frame.type !== 'event' && /** @type {HTMLInputElement} */ ($('show-frames')).checked)
      log('frame', frame.type, JSON.stringify(frame, null, 2));
  });
  c.on('error', (/** @type {any} */ err) => log('error', err.code, err.message));
  c.on('subscribed', (/** @type {any} */ s) =>
    log('lifecycle', s.restored ? 'resubscribed' : 'subscribed', s.channel),
  );
  c.on('subscriptionError', (/** @type {any} */ s) =>
    log('error', `${s.error.code} on ${s.channel}`, `${s.error.message}${s.willRetry ? ' (retrying)' : ''}`),
  );
  c.on('subscriptions', renderSubscriptions);
  c.on('join', (/** @type {any} */ j) => {
    log('lifecycle', `${j.member.userId} joined`, `presence on ${j.channel}`).dataset.presence = 'join';
  });
  c.on('leave', (/** @type {any} */ l) => {
    log('lifecycle', `${l.member.userId} left`, `presence on ${l.channel}`).dataset.presence = 'leave';
  });
  c.on('clientMessage', (/** @type {any} */ m) => {
    log('event', `message from ${m.from.userId}`, JSON.stringify(m.data, null, 2), m.channel).dataset.from =
      m.from.userId;
  });
  c.on('recovery', (/** @type {any} */ r) => {
    log(
      r.recovered ? 'lifecycle' : 'error',
      r.recovered ? `recovered ${r.channel}` : `state may be stale: ${r.channel}`,
      r.recovered
        ? `${r.missed} missed event(s) delivered, now at offset ${r.offset} (epoch ${r.epoch})`
        : `the history no longer holds the missed events; reload the data of this channel (now at offset ${r.offset})`,
    );
    if (client === c) renderSubscriptions(c.subscriptions);
  });
  c.on('pong', (/** @type {any} */ p) => {
    $('last-pong').textContent = `${p.time ?? '?'} (${p.rtt} ms)`;
  });
  c.on('recycled', () => log('lifecycle', 'connection replaced', 'ahead of the 2-hour limit'));
  c.on('tokenRefreshed', (/** @type {any} */ p) =>
    log('lifecycle', 'token refreshed', `the connection now lasts until ${p.expiresAt}`),
  );
  c.on('handlerError', (/** @type {any} */ h) => log('error', 'handler threw', String(h.error)));
  // subscriptions made with the previous client (another token) carry over
  const previous = [...channels.keys()];
  channels.clear();
  for (const channel of previous) subscribe(channel);
  renderSubscriptions(c.subscriptions);
  c.connect().catch(() => {
    /* shown through the 'closed' state */
  });
}

function disconnect() {
  if (!client) return;
  const c = client;
  c.close();
  showState('closed', { reason: 'client-close' });
  renderSubscriptions(
    [...channels.keys()].map((channel) => ({ channel, state: 'closed', eventCount: 0, handlers: 0 })),
  );
}

async function ping() {
  if (!client) return;
  try {
    const p = await client.ping();
    $('last-pong').textContent = `${p.time ?? '?'} (${p.rtt} ms)`;
  } catch (/** @type {any} */ err) {
    log('error', err.code ?? 'ping failed', err.message);
  }
}

/** @param {string} state @param {any} detail */
function showState(state, detail) {
  const badge = $('state');
  badge.textContent = state;
  badge.dataset.state = state;
  badge.className = `badge state-${state}`;
  const extra =
    state === 'closed' && detail?.reason
      ? `${detail.reason}${detail.code ? ` (${detail.code})` : ''}`
      : state === 'reconnecting' && detail?.delay !== undefined
        ? `attempt ${detail.attempt}, next in ${detail.delay} ms`
        : '';
  $('state-detail').textContent = extra;
}

// ------------------------------------------------------------------ subscriptions

/** @param {string} channel */
function subscribe(channel) {
  if (!client || !channel || channels.has(channel)) return;
  let unsubscribe;
  try {
    unsubscribe = client.subscribe(channel, () => {
      /* rendered by the 'event' listener, with its envelope */
    });
  } catch (/** @type {any} */ err) {
    log('error', err.code ?? 'subscribe failed', err.message);
    return;
  }
  channels.set(channel, unsubscribe);
  unsubscribe.ready.catch(() => channels.delete(channel));
}

/** @param {string} channel */
async function unsubscribe(channel) {
  const off = channels.get(channel);
  channels.delete(channel);
  if (!off) return;
  try {
    await off();
    log('lifecycle', 'unsubscribed', channel);
  } catch (/** @type {any} */ err) {
    log('error', err.code ?? 'unsubscribe failed', err.message);
  }
}

/** @param {Array<{ channel: string, state: string, eventCount: number, error?: any, offset?: number | null, epoch?: string | null, recovered?: boolean | null }>} list */
function renderSubscriptions(list) {
  const ul = $('subscriptions');
  if (list.length === 0) {
    ul.replaceChildren(el('li', { className: 'empty muted' }, 'no subscription'));
    return;
  }
  ul.replaceChildren(
    ...list.map((s) => {
      const li = el('li', {});
      li.dataset.channel = s.channel;
      li.dataset.state = s.state;
      const name = el('code', { className: 'grow' }, s.channel);
      const state = el('span', { className: `sub-state ${s.state}` }, s.state);
      const count = el('span', { className: 'muted' }, `${s.eventCount} ev`);
      const button = el('button', { type: 'button' }, 'Unsubscribe');
      button.addEventListener('click', () => unsubscribe(s.channel));
      li.append(name, state, count);
      if (s.offset !== null && s.offset !== undefined) {
        // a channel with history: its position, and whether the last recovery was complete
        const pos = el('span', { className: 'muted offset' }, `@${s.offset}`);
        pos.title = `offset ${s.offset} in epoch ${s.epoch}`;
        li.append(pos);
      }
      if (s.recovered === true || s.recovered === false) {
        li.dataset.recovered = String(s.recovered);
        li.append(
          el(
            'span',
            { className: `sub-state ${s.recovered ? 'subscribed' : 'failed'} recovery` },
            s.recovered ? 'recovered' : 'stale',
          ),
        );
      }
      const who = el('button', { type: 'button', className: 'presence' }, 'Who is here');
      who.addEventListener('click', () => showPresence(s.channel));
      li.append(who, button);
      return li;
    }),
  );
}

/** Logs the channel's members (presence); a channel without presence answers PRESENCE_NOT_ENABLED. @param {string} channel */
async function showPresence(channel) {
  if (!client) return;
  try {
    const members = await client.presence(channel);
    const li = log(
      'lifecycle',
      `${members.length} on ${channel}`,
      members
        .map((m) => `${m.userId} (${m.connections} connection${m.connections === 1 ? '' : 's'})`)
        .join('\n'),
    );
    li.dataset.presence = 'members';
  } catch (/** @type {any} */ err) {
    log('error', err.code ?? 'error', err.message);
  }
}

// ------------------------------------------------------------------ publishing

/** @param {Array<{ name: string, source: string, detailType: string, example: object }>} events */
function fillEventPicker(events) {
  const select = /** @type {HTMLSelectElement} */ ($('publish-event'));
  select.replaceChildren(
    ...events.map((e, i) => el('option', { value: String(i) }, `${e.detailType} (${e.source})`)),
  );
  showExample();
}

function showExample() {
  const e = info?.events?.[Number(/** @type {HTMLSelectElement} */ ($('publish-event')).value)];
  /** @type {HTMLTextAreaElement} */ ($('publish-detail')).value = e
    ? JSON.stringify(e.example, null, 2)
    : '';
}

async function publish() {
  const result = $('publish-result');
  const e = info?.events?.[Number(/** @type {HTMLSelectElement} */ ($('publish-event')).value)];
  if (!e) return;
  let detail;
  try {
    detail = JSON.parse(/** @type {HTMLTextAreaElement} */ ($('publish-detail')).value);
  } catch (err) {
    result.className = 'bad';
    result.textContent = `detail is not JSON: ${err instanceof Error ? err.message : err}`;
    return;
  }
  result.className = 'muted';
  result.textContent = 'publishing…';
  try {
    const response = await fetch('/', {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSEvents.PutEvents', 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({
        Entries: [
          {
            Source: e.source,
            DetailType: e.detailType,
            Detail: JSON.stringify(detail),
            EventBusName: info.bus,
          },
        ],
      }),
    });
    const body = await response.json().catch(() => ({}));
    const entry = body.Entries?.[0] ?? {};
    if (!response.ok || body.FailedEntryCount || entry.ErrorCode) {
      result.className = 'bad';
      result.textContent =
        `refused: HTTP ${response.status} ${entry.ErrorCode ?? body.__type ?? ''} ${entry.ErrorMessage ?? body.message ?? body.Message ?? ''}`.trim();
    } else {
      result.className = 'ok';
      result.dataset.eventId = entry.EventId;
      result.textContent = `published, EventId ${entry.EventId}`;
    }
  } catch (err) {
    result.className = 'bad';
    result.textContent = `publish failed: ${err instanceof Error ? err.message : err}`;
  }
}

// ------------------------------------------------------------------ gateway connections

async function refreshConnections() {
  const ul = $('connections');
  try {
    /** @type {any[]} */
    const list = await getJson('/local/connections');
    if (list.length === 0) {
      ul.replaceChildren(el('li', { className: 'empty muted' }, 'no connection'));
      return;
    }
    ul.replaceChildren(
      ...list.map((c) => {
        const li = el('li', {});
        const text = el(
          'span',
          { className: 'grow' },
          `${c.connectionId} · ${c.userId}@${c.tenant} · ${(c.channels ?? []).join(', ') || 'no channel'}`,
        );
        const button = el('button', { type: 'button' }, 'Close');
        button.addEventListener('click', async () => {
          const r = await fetch(`/${info.stage}/@connections/${encodeURIComponent(c.connectionId)}`, {
            method: 'DELETE',
          });
          log('lifecycle', `DELETE @connections → HTTP ${r.status}`, c.connectionId);
          setTimeout(refreshConnections, 500);
        });
        li.append(text, button);
        return li;
      }),
    );
  } catch (err) {
    ul.replaceChildren(
      el('li', { className: 'empty muted' }, `failed: ${err instanceof Error ? err.message : err}`),
    );
  }
}

// ------------------------------------------------------------------ log

/** @param {any} e an event envelope */
function logEvent(e) {
  eventCount++;
  $('event-count').textContent = String(eventCount);
  const li = log(
    'event',
    e.eventType ?? 'event',
    JSON.stringify(e, null, 2),
    `${e.channel} · ${e.time ?? ''}`,
  );
  li.dataset.eventId = e.eventId ?? '';
  li.dataset.channel = e.channel;
  li.dataset.eventType = e.eventType ?? '';
}

/**
 * Prepends one entry to the log.
 * @param {'event'|'lifecycle'|'error'|'frame'} kind @param {string} title @param {string} [body] @param {string} [meta]
 */
function log(kind, title, body = '', meta = '') {
  const li = el('li', { className: kind });
  const head = el('div', { className: 'head' });
  head.append(
    el('span', { className: 'muted' }, new Date().toLocaleTimeString()),
    el('span', { className: 'kind' }, title),
  );
  if (meta) head.append(el('span', { className: 'muted' }, meta));
  li.append(head);
  if (body)
    li.append(kind === 'lifecycle' ? el('span', { className: 'muted' }, ` ${body}`) : el('pre', {}, body));
  const ol = $('events');
  ol.prepend(li);
  while (ol.children.length > MAX_LOG) ol.lastElementChild?.remove();
  return li;
}

/** @param {string} tag @param {Record<string, string>} props @param {string} [text] */
function el(tag, props, text) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {string} path */
async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok)
    throw new Error(`${path}: HTTP ${response.status} ${await response.text().catch(() => '')}`.trim());
  return response.json();
}
