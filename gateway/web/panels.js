// The panels of the uudai dashboard: headline totals, the time chart, the splits by payment
// method and funder, the top merchants, the offers' budget burn and the budget alerts, drawn from the API's
// answers (see dashboard.js for what `data` holds). Text from the API goes in as textContent.
'use strict';

(function (root) {
  const F = root.UudaiFormat;
  const C = root.UudaiCharts;
  const METHOD_NAMES = { momo: 'MoMo', zalopay: 'ZaloPay', vnpay: 'VNPay',
    shopeepay: 'ShopeePay', viettel_money: 'Viettel Money', vietqr: 'VietQR', card: 'Card',
    bank_transfer: 'Bank transfer', cod: 'Cash on delivery' };
  const $ = (id) => document.getElementById(id);

  function setMetric(name, value, text) {
    const el = document.querySelector(`[data-metric="${name}"]`);
    el.dataset.value = String(value);
    el.textContent = text;
  }

  function renderTotals(totals) {
    const t = totals.totals;
    setMetric('redemptions', t.redemptions.committed, F.formatCount(t.redemptions.committed));
    setMetric('discount_committed', t.discount_committed, F.formatDong(t.discount_committed));
    setMetric('gmv_committed', t.gmv_committed, F.formatDong(t.gmv_committed));
    setMetric('unique_shoppers', t.unique_shoppers, F.formatCount(t.unique_shoppers));
    const share = t.gmv_committed > 0 ? t.discount_committed / t.gmv_committed : NaN;
    $('discount-rate').textContent = t.gmv_committed > 0 ?
      F.formatPercent(share) + ' of GMV' : 'no GMV yet';
    setMetric('cashback_committed', t.cashback_committed, F.formatDong(t.cashback_committed));
    const names = { reserved: 'reserved', released: 'cancelled', expired: 'expired',
      refunded: 'refunded' };
    const breakdown = $('status-breakdown');
    breakdown.replaceChildren();
    Object.entries(names).forEach(([status, label], i) => {
      const span = C.html('span', 'status', F.formatCount(t.redemptions[status]) + ' ' + label);
      span.dataset.status = status;
      span.dataset.value = String(t.redemptions[status]);
      if (i > 0) breakdown.append(' · ');
      breakdown.appendChild(span);
    });
  }

  // Bucket keys are local ("2026-10-10" or "2026-10-10T12:00:00+07:00"); read as if UTC they
  // step evenly (no DST in the campaign zone), which is all gap filling needs.
  function bucketTime(key) {
    return Date.parse(key.length === 10 ? key + 'T00:00:00Z' : key.slice(0, 13) + ':00:00Z');
  }

  function renderTime(time, granularity) {
    const step = granularity === 'hour' ? 3600000 : 86400000;
    const byTime = new Map(time.groups.map((g) => [bucketTime(g.key), g]));
    const times = [...byTime.keys()].sort((a, b) => a - b);
    const buckets = [];
    if (times.length > 0) {
      const first = times[0];
      const last = Math.max(times[times.length - 1], first);
      for (let t = first; t <= last && buckets.length < 2000; t += step) {
        const iso = new Date(t).toISOString();
        const key = granularity === 'hour' ? iso.slice(0, 13) : iso.slice(0, 10);
        const g = byTime.get(t);
        const r = g ? g.redemptions : { committed: 0, reserved: 0, refunded: 0, released: 0,
          expired: 0 };
        const discount = g ? g.discount_committed : 0;
        const label = F.formatBucketLabel(key);
        buckets.push({
          label,
          stacks: [r.committed, r.reserved, r.refunded, r.released + r.expired],
          line: discount,
          title: `${label}: ${r.committed} committed, ${r.reserved} reserved, ` +
            `${r.refunded} refunded, ${r.released + r.expired} cancelled or expired; ` +
            `discount ${F.formatDong(discount)}, GMV ${F.formatDong(g ? g.gmv_committed : 0)}`,
        });
      }
    }
    C.timeChart($('chart-time'), buckets, [
      { name: 'Committed', className: 's-committed' },
      { name: 'Reserved', className: 's-reserved' },
      { name: 'Refunded', className: 's-refunded' },
      { name: 'Cancelled or expired', className: 's-lost' },
    ], 'Discount committed', F);
  }

  function funderName(key) {
    if (key === 'merchant') return 'Merchants';
    if (key === 'platform') return 'Platform';
    const partner = key.replace(/^payment_partner:?/, '');
    return 'Payment partner' + (partner ? ': ' + (METHOD_NAMES[partner] || partner) : '');
  }

  function renderSplits(methods, funders) {
    const byGmv = [...methods.groups].sort((a, b) => b.gmv_committed - a.gmv_committed);
    C.donut($('chart-methods'), byGmv.map((g) => ({
      label: METHOD_NAMES[g.key] || g.key,
      value: g.gmv_committed,
      detail: `GMV ${F.formatDong(g.gmv_committed)} · ${F.formatCount(g.redemptions.committed)}` +
        ` redemptions · discount ${F.formatDong(g.discount_committed)}`,
    })), { label: 'GMV', value: F.formatDongShort(methods.totals.gmv_committed) }, F);
    // What each funder pays: the discounts it funds and the cashback it credits afterwards.
    const funded = (g) => g.discount_committed + g.cashback_committed;
    const byFunded = [...funders.groups].sort((a, b) => funded(b) - funded(a));
    const fundedSum = byFunded.reduce((a, g) => a + funded(g), 0);
    C.donut($('chart-funders'), byFunded.map((g) => ({
      label: funderName(g.key),
      value: funded(g),
      // Not GMV, nor orders: funder groups count an order once per applied offer.
      detail: `discount ${F.formatDong(g.discount_committed)} · cashback ` +
        `${F.formatDong(g.cashback_committed)} · applied ` +
        `${F.formatCount(g.redemptions.committed)} times`,
    })), { label: 'funded', value: F.formatDongShort(fundedSum) }, F);
  }

  function renderMerchants(merchants) {
    const top = [...merchants.groups].sort((a, b) => b.gmv_committed - a.gmv_committed)
      .slice(0, 10);
    C.rankedBars($('chart-merchants'), top.map((g) => ({
      label: g.key,
      sublabel: `${F.formatCount(g.redemptions.committed)} redemptions · discount ` +
        F.formatDong(g.discount_committed),
      value: g.gmv_committed,
      text: F.formatDong(g.gmv_committed),
    })), 'No committed redemptions yet.');
  }

  // One row per offer with limits: budget spent and redemptions used (both count reserved
  // redemptions too, as the limits do), most used first.
  function renderBurn(burn) {
    const rows = burn.map(({ offer, stats }) => {
      const budget = offer.limits.total_budget;
      const quota = offer.limits.total_redemptions;
      const budgetUsed = budget === null ? 0 : budget - (stats.remaining.budget ?? budget);
      const quotaUsed = quota === null ? 0 : quota - (stats.remaining.redemptions ?? quota);
      const budgetShare = budget ? budgetUsed / budget : 0;
      const quotaShare = quota ? quotaUsed / quota : 0;
      return { offer, stats, budget, quota, budgetUsed, quotaUsed, budgetShare, quotaShare,
        worst: Math.max(budgetShare, quotaShare) };
    }).sort((a, b) => b.worst - a.worst);
    const container = $('offer-burn');
    container.replaceChildren();
    if (rows.length === 0) {
      container.appendChild(C.html('p', 'empty', 'No offer has a budget or redemption limit.'));
      return;
    }
    const severity = (share) => (share >= 0.95 ? 'critical' : share >= 0.8 ? 'warn' : 'ok');
    const list = C.html('ul', 'burn');
    rows.forEach((row) => {
      const item = C.html('li');
      item.dataset.offerId = row.offer.id;
      const head = C.html('div', 'burn-head');
      head.append(C.html('span', 'name', row.offer.name),
        C.html('small', 'id', row.offer.id + ' · ' + row.offer.status));
      item.appendChild(head);
      const line = (label, share, text) => {
        const part = C.html('div', 'burn-line');
        part.append(C.html('span', 'what', label), C.meter(share, severity(share), text),
          C.html('span', 'figures', text));
        item.appendChild(part);
      };
      if (row.budget !== null) {
        line('Budget', row.budgetShare, `${F.formatDong(row.budgetUsed)} of ` +
          `${F.formatDong(row.budget)} · ${F.formatDong(row.stats.remaining.budget)} left`);
      }
      if (row.quota !== null) {
        line('Quota', row.quotaShare, `${F.formatCount(row.quotaUsed)} of ` +
          `${F.formatCount(row.quota)} · ${F.formatCount(row.stats.remaining.redemptions)} left`);
      }
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  // The budget alerts, newest first: which offer reached which share of which limit, when.
  function renderAlerts(alerts, offerNames) {
    const container = $('budget-alerts');
    container.replaceChildren();
    if (alerts.length === 0) {
      container.appendChild(C.html('p', 'empty', 'No offer has reached 80 % of a limit.'));
      return;
    }
    const list = C.html('ul', 'alerts');
    alerts.forEach((event) => {
      const d = event.data;
      const item = C.html('li', d.percent >= 95 ? 'critical' : 'warn');
      item.dataset.offerId = d.offer_id;
      item.dataset.alertPercent = String(d.percent);
      item.dataset.alertBasis = d.basis;
      const budget = d.basis === 'total_budget';
      const figures = budget ? `${F.formatDong(d.used)} of ${F.formatDong(d.limit)}` :
        `${F.formatCount(d.used)} of ${F.formatCount(d.limit)} redemptions`;
      item.append(C.html('strong', 'percent', `${d.percent} %`),
        C.html('span', 'name', offerNames.get(d.offer_id) || d.offer_id),
        C.html('span', 'figures', `${budget ? 'budget' : 'quota'} · ${figures}`),
        C.html('small', 'when', event.at));
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  // Draws every panel from one refresh's figures.
  function render(data) {
    renderTotals(data.totals);
    renderTime(data.time, data.granularity);
    renderSplits(data.methods, data.funders);
    renderMerchants(data.merchants);
    renderBurn(data.burn);
    renderAlerts(data.alerts, data.offerNames);
  }

  root.UudaiPanels = Object.freeze({ render });
})(globalThis);
