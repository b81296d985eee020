// The uudai analysts' dashboard: reads the stats API with an analyst key and hands the
// figures to panels.js, which draws them.
//
// The key: taken from the URL fragment (/dashboard#key=…, then removed from the address bar
// and the history entry) or from the key field; kept in sessionStorage (this tab only) and sent
// only as `Authorization: Bearer …` — never in a URL, so it reaches no log, proxy or Referer.
// Every figure is refetched every REFRESH_MS; text from the API (offer names, shop ids) is put
// in with textContent only.
'use strict';

(function () {
  const F = globalThis.UudaiFormat;
  const render = globalThis.UudaiPanels.render;
  const KEY_STORAGE = 'uudai.analystKey';
  const REFRESH_MS = 10000;
  const OFFER_STATS_MAX = 20;  // offers whose burn is fetched one by one, busiest first
  const HOUR_WINDOW_MS = 48 * 3600 * 1000;  // group_by=hour without a `from`: the last 48 h
  const $ = (id) => document.getElementById(id);

  let memoryKey = null;  // used when sessionStorage is unavailable (e.g. disabled storage)
  let inFlight = false;
  let again = false;  // a refresh was asked for while one ran (e.g. the period changed)
  let lastData = null;

  // ---- the key -------------------------------------------------------------------------

  function readKey() {
    try {
      return sessionStorage.getItem(KEY_STORAGE) || memoryKey;
    } catch (e) {
      return memoryKey;
    }
  }

  function saveKey(key) {
    memoryKey = key;
    try {
      sessionStorage.setItem(KEY_STORAGE, key);
    } catch (e) { /* memoryKey holds it for this page */ }
  }

  function forgetKey() {
    memoryKey = null;
    try {
      sessionStorage.removeItem(KEY_STORAGE);
    } catch (e) { /* nothing stored */ }
  }

  // Moves a key from the fragment into sessionStorage and scrubs it from the address bar.
  function takeKeyFromFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (!params.has('key')) return;
    history.replaceState(history.state, '', location.pathname + location.search);
    const key = (params.get('key') || '').trim();
    if (key) {
      saveKey(key);
      document.documentElement.dataset.keySource = 'fragment';
    }
  }

  // ---- the API ---------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, problem) {
      super(`HTTP ${status}`);
      this.status = status;
      this.problem = problem;
    }
  }

  // GET path as JSON. A refresh makes a burst of requests (7 + one per offer in the burn
  // panel), so a key with a small rate_limit gets 429s: those wait Retry-After and try again.
  async function getJson(path) {
    let response;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetch(path, {
          headers: { Authorization: 'Bearer ' + readKey(), Accept: 'application/json' },
          cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
        });
      } catch (e) {
        throw new ApiError(0, null);
      }
      if (response.status !== 429 || attempt === 3) break;
      const seconds = Math.min(Number(response.headers.get('Retry-After')) || 1, 10);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch (e) { /* not a problem+json body */ }
      throw new ApiError(response.status, problem);
    }
    return response.json();
  }

  function campaignPath(range, groupBy) {
    const query = new URLSearchParams();
    if (range.from) query.set('from', range.from);
    if (range.to) query.set('to', range.to);
    if (groupBy) query.set('group_by', groupBy);
    const text = query.toString();
    return '/v1/stats/campaign' + (text ? '?' + text : '');
  }

  // Every offer (for names and limits), a page of 1000 at a time.
  async function listOffers() {
    const offers = [];
    let cursor = null;
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams({ limit: '1000' });
      if (cursor) query.set('cursor', cursor);
      const body = await getJson('/v1/offers?' + query.toString());
      offers.push(...body.items);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    return offers;
  }

  // Budget alerts: the offer.budget_threshold events (80, 95, 100 % of an offer's budget or
  // quota). The first refresh looks at the last ALERT_LOOKBACK events; each one after reads on
  // from where the last stopped, at most ALERT_PAGES pages of 1,000.
  const ALERT_LOOKBACK = 10000;
  const ALERT_PAGES = 10;
  const ALERTS_SHOWN = 50;
  let alertsAfter = null;
  let alerts = [];  // newest first

  async function loadAlerts() {
    if (alertsAfter === null) {
      const head = await getJson('/v1/events?limit=1');
      alertsAfter = Math.max(0, head.last_seq - ALERT_LOOKBACK);
    }
    for (let page = 0; page < ALERT_PAGES; page++) {
      let body;
      try {
        body = await getJson(`/v1/events?after=${alertsAfter}&limit=1000`);
      } catch (error) {
        // Dropped by the retention before this page read them: go on from the oldest held.
        if (error.status !== 410 || !error.problem) throw error;
        alertsAfter = Math.max(0, error.problem.oldest_seq - 1);
        continue;
      }
      body.items.filter((e) => e.type === 'offer.budget_threshold')
        .forEach((e) => alerts.unshift(e));
      alertsAfter = body.next_after;
      if (body.items.length < 1000) break;
    }
    alerts = alerts.slice(0, ALERTS_SHOWN);
    return alerts;
  }

  // Offer stats (remaining budget and quota) of the busiest offers that have limits.
  async function loadOfferStats(offers, byOffer) {
    const activity = new Map(byOffer.groups.map((g) => [g.key,
      g.redemptions.committed + g.redemptions.reserved]));
    const limited = offers.filter((o) => o.status !== 'archived' && o.limits &&
      (o.limits.total_budget !== null || o.limits.total_redemptions !== null));
    limited.sort((a, b) => (activity.get(b.id) || 0) - (activity.get(a.id) || 0) ||
      a.id.localeCompare(b.id));
    const chosen = limited.slice(0, OFFER_STATS_MAX);
    const stats = await Promise.all(chosen.map((o) =>
      getJson('/v1/stats/offers/' + encodeURIComponent(o.id))));
    return chosen.map((offer, i) => ({ offer, stats: stats[i] }));
  }

  // The period picked on the page: local dates, `to` inclusive on the page, exclusive in the API.
  function selectedRange() {
    const from = $('from').value;
    let to = $('to').value;
    if (to) {
      const next = new Date(Date.parse(to + 'T00:00:00Z') + 86400000);
      to = next.toISOString().slice(0, 10);
    }
    return { from, to };
  }

  // Refetches everything. `queue` (user actions): when a refresh is running, run again after
  // it; the timer's refreshes just skip.
  async function refresh(queue = true) {
    if (!readKey()) return;
    if (inFlight) {
      again = again || Boolean(queue);
      return;
    }
    inFlight = true;
    $('refresh').disabled = true;
    try {
      const range = selectedRange();
      if (range.from && range.to && range.to <= range.from) {
        throw new ApiError(-1, { detail: '"To" must not be before "From".' });
      }
      const granularity = $('granularity').value;
      const timeRange = { ...range };
      if (granularity === 'hour' && !range.from) {
        const start = Math.floor((Date.now() - HOUR_WINDOW_MS) / 3600000) * 3600000;
        timeRange.from = new Date(start).toISOString();
      }
      const [totals, time, methods, funders, merchants, byOffer, offers] = await Promise.all([
        getJson(campaignPath(range)),
        getJson(campaignPath(timeRange, granularity)),
        getJson(campaignPath(range, 'payment_method')),
        getJson(campaignPath(range, 'funded_by')),
        getJson(campaignPath(range, 'merchant')),
        getJson(campaignPath(range, 'offer')),
        listOffers(),
      ]);
      const burn = await loadOfferStats(offers, byOffer);
      const budgetAlerts = await loadAlerts();
      const offerNames = new Map(offers.map((o) => [o.id, o.name]));
      // What panels.js draws: campaign stats (totals, time series, payment methods, funders,
      // merchants) as the API answered them, [{offer, stats}] for the offers' burn, and the
      // budget alerts (events, newest first) with the offers' names.
      lastData = { totals, time, granularity, methods, funders, merchants, burn,
        alerts: budgetAlerts, offerNames };
      render(lastData);
      showError(null);
      $('updated').textContent = 'Updated at ' + F.formatClock(new Date());
      document.body.dataset.state = 'ready';
    } catch (error) {
      showError(error);
    } finally {
      inFlight = false;
      $('refresh').disabled = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  // ---- errors ----------------------------------------------------------------------------

  function showError(error) {
    const box = $('error');
    if (!error) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    const status = error.status === undefined ? -2 : error.status;
    const detail = error.problem && error.problem.detail ? ' (' + error.problem.detail + ')' : '';
    let message;
    if (status === 401) {
      message = '401 Unauthorized: uudai does not know this key' + detail +
        '. Enter an analyst key.';
      forgetKey();
      showKeyPanel(true);
    } else if (status === 403) {
      message = '403 Forbidden: this key may not read campaign statistics' + detail +
        '. Use an analyst (or admin) key.';
      forgetKey();
      showKeyPanel(true);
    } else if (status === 503) {
      message = '503 Service Unavailable: the store cannot be read right now' + detail +
        '. The figures below may be stale; retrying every 10 s.';
    } else if (status === 429) {
      message = '429 Too Many Requests: this key is rate limited; retrying every 10 s.';
    } else if (status === 0) {
      message = 'Cannot reach uudai (network error); retrying every 10 s.';
    } else if (status === -1) {
      message = error.problem.detail;
    } else if (status === -2) {
      message = 'The dashboard failed: ' + error.message;
    } else {
      message = `uudai answered ${status}` + detail + '.';
    }
    box.textContent = message;
    box.hidden = false;
    box.dataset.status = String(status);
    document.body.dataset.state = 'error';
  }

  function showKeyPanel(show) {
    $('key-panel').hidden = !show;
    $('forget').hidden = show;
    if (show) $('key').focus();
  }

  // ---- wiring ------------------------------------------------------------------------------

  function start() {
    takeKeyFromFragment();
    showKeyPanel(!readKey());
    $('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const key = $('key').value.trim();
      $('key').value = '';
      if (!key) return;
      saveKey(key);
      showKeyPanel(false);
      refresh();
    });
    $('forget').addEventListener('click', () => {
      forgetKey();
      showKeyPanel(true);
    });
    $('refresh').addEventListener('click', refresh);
    for (const id of ['from', 'to', 'granularity']) $(id).addEventListener('change', refresh);
    // Charts are drawn for their container's width: redraw when it changes (rotation, resize).
    let drawnWidth = 0;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (lastData && Math.abs(width - drawnWidth) > 8) {
        drawnWidth = width;
        render(lastData);
      }
    }).observe($('chart-time'));
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) refresh();
    });
    setInterval(() => {
      if (!document.hidden) refresh(false);
    }, REFRESH_MS);
    refresh();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
