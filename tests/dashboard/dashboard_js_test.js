// The dashboard's scripts (gateway/web/) under node's own test runner (CTest runs
// `node --test`): every script compiles, and the number formats of format.js are right.
// They are browser scripts, so they are evaluated in a fresh context, as the page would.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const vm = require('node:vm');

const WEB = path.join(__dirname, '../../gateway/web');
const source = fs.readFileSync(path.join(WEB, 'format.js'), 'utf8');
const context = vm.createContext({});
vm.runInContext(source, context);
const F = context.UudaiFormat;
const NBSP = '\u00a0';

test('dong amounts group thousands with dots and put the symbol after a no-break space', () => {
  assert.equal(F.formatDong(1250000), '1.250.000' + NBSP + '₫');
  assert.equal(F.formatDong(0), '0' + NBSP + '₫');
  assert.equal(F.formatDong(999), '999' + NBSP + '₫');
  assert.equal(F.formatDong(1000), '1.000' + NBSP + '₫');
  assert.equal(F.formatDong(100000), '100.000' + NBSP + '₫');
  assert.equal(F.formatDong(1000000000000000), '1.000.000.000.000.000' + NBSP + '₫');
  assert.equal(F.formatDong(-50000), '-50.000' + NBSP + '₫');
});

test('dong amounts that are not numbers show a dash', () => {
  assert.equal(F.formatDong(null), '–');
  assert.equal(F.formatDong(undefined), '–');
  assert.equal(F.formatDong('1000'), '–');
  assert.equal(F.formatDong(NaN), '–');
});

test('counts group thousands with dots', () => {
  assert.equal(F.formatCount(7), '7');
  assert.equal(F.formatCount(1234567), '1.234.567');
});

test('short amounts use triệu and tỷ with a decimal comma', () => {
  assert.equal(F.formatDongShort(950000), '950.000' + NBSP + '₫');
  assert.equal(F.formatDongShort(1500000), '1,5' + NBSP + 'tr' + NBSP + '₫');
  assert.equal(F.formatDongShort(2000000), '2' + NBSP + 'tr' + NBSP + '₫');
  assert.equal(F.formatDongShort(2340000000), '2,3' + NBSP + 'tỷ' + NBSP + '₫');
});

test('percentages use a decimal comma', () => {
  assert.equal(F.formatPercent(0.125), '12,5%');
  assert.equal(F.formatPercent(1), '100%');
});

test('bucket labels read the local day and hour from the group key', () => {
  assert.equal(F.formatBucketLabel('2026-10-10'), '10/10');
  assert.equal(F.formatBucketLabel('2026-10-09T07:00:00+07:00'), '09/10 07h');
  assert.equal(F.formatBucketLabel('other'), 'other');
});

test('every dashboard script compiles as a classic script in strict mode', () => {
  const scripts = fs.readdirSync(WEB).filter((name) => name.endsWith('.js'));
  assert.deepEqual(scripts.sort(),
    ['charts.js', 'dashboard.js', 'format.js', 'panels.js']);
  for (const name of scripts) {
    const text = fs.readFileSync(path.join(WEB, name), 'utf8');
    assert.match(text, /^'use strict';$/m, name);
    assert.doesNotThrow(() => new vm.Script(text, { filename: name }), name);
  }
});
