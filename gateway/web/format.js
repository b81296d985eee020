// Number and time formats of the uudai dashboard, Vietnamese conventions: đồng amounts as
// `1.250.000 ₫` (dot thousands separator, a no-break space, ₫ after), decimals with a comma.
// Plain functions without DOM access, so tests can run this file in node (tests/dashboard/).
'use strict';

(function (root) {
  const NBSP = '\u00a0';

  // "1234567" → "1.234.567". Integers only; anything else is rounded first.
  function groupThousands(n) {
    const negative = n < 0;
    const digits = String(Math.round(Math.abs(n)));
    let out = '';
    for (let i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += '.';
      out += digits[i];
    }
    return (negative ? '-' : '') + out;
  }

  // 1250000 → "1.250.000 ₫". A missing or non-numeric amount shows as "–".
  function formatDong(amount) {
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return '–';
    return groupThousands(amount) + NBSP + '₫';
  }

  // 1234 → "1.234".
  function formatCount(count) {
    if (typeof count !== 'number' || !Number.isFinite(count)) return '–';
    return groupThousands(count);
  }

  // One decimal with a comma, without a trailing ",0": 1.5 → "1,5", 2 → "2".
  function oneDecimal(x) {
    const rounded = Math.round(x * 10) / 10;
    const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
    return text.replace('.', ',');
  }

  // Short amounts for chart axes: "950.000 ₫", "1,5 tr ₫" (triệu), "2,3 tỷ ₫".
  function formatDongShort(amount) {
    if (typeof amount !== 'number' || !Number.isFinite(amount)) return '–';
    const abs = Math.abs(amount);
    if (abs >= 1e9) return oneDecimal(amount / 1e9) + NBSP + 'tỷ' + NBSP + '₫';
    if (abs >= 1e6) return oneDecimal(amount / 1e6) + NBSP + 'tr' + NBSP + '₫';
    return formatDong(amount);
  }

  // A share 0..1 → "12,5%".
  function formatPercent(share) {
    if (typeof share !== 'number' || !Number.isFinite(share)) return '–';
    return oneDecimal(share * 100) + '%';
  }

  // Group keys of /v1/stats/campaign are in campaign-local time already:
  // day "2026-10-10" → "10/10"; hour "2026-10-10T12:00:00+07:00" → "10/10 12h".
  function formatBucketLabel(key) {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?/.exec(key);
    if (!m) return key;
    const day = m[3] + '/' + m[2];
    return m[4] === undefined ? day : day + ' ' + m[4] + 'h';
  }

  // A Date → "14:05:09" (the browser's local time), for "updated at".
  function formatClock(date) {
    const pad = (v) => String(v).padStart(2, '0');
    return pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' + pad(date.getSeconds());
  }

  root.UudaiFormat = Object.freeze({
    formatDong,
    formatCount,
    formatDongShort,
    formatPercent,
    formatBucketLabel,
    formatClock,
  });
})(globalThis);
