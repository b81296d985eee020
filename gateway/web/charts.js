// Small SVG charts for the uudai dashboard, drawn with DOM calls only: every label goes in
// through textContent (offer and shop names come from merchants, so never through innerHTML),
// and colours are SVG attributes or CSS classes (the page's CSP forbids inline style).
'use strict';

(function (root) {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  // Colour-blind-friendly palette (Okabe–Ito, without black), for slices.
  const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442',
    '#7f7f7f', '#8c6d31', '#393b79'];

  function svg(tag, attrs, text) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) el.setAttribute(name, value);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function html(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // A tooltip for an SVG element (shown on hover by every browser).
  function titled(el, text) {
    el.appendChild(svg('title', {}, text));
    return el;
  }

  // A round step so that about `ticks` steps cover max: 1, 2 or 5 × 10^k.
  function niceStep(max, ticks, integer) {
    const raw = Math.max(max, 1e-9) / ticks;
    const exp = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / exp;
    const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp;
    return integer ? Math.max(1, Math.round(step)) : step;
  }

  function swatch(color, className) {
    const box = svg('svg', { width: 12, height: 12, class: 'swatch', 'aria-hidden': 'true' });
    const rect = svg('rect', { width: 12, height: 12, rx: 2 });
    if (color) rect.setAttribute('fill', color);
    if (className) rect.setAttribute('class', className);
    box.appendChild(rect);
    return box;
  }

  // Stacked bars (left axis, counts) and a line (right axis, đồng) over time buckets.
  // buckets: [{label, title, stacks: [value per series], line}];
  // series: [{name, className}] (bar colours come from CSS); lineName names the line.
  function timeChart(container, buckets, series, lineName, fmt) {
    container.replaceChildren();
    if (buckets.length === 0) {
      container.appendChild(html('p', 'empty', 'No redemptions in this period yet.'));
      return;
    }
    const width = Math.max(container.clientWidth || 600, 280);
    const height = width < 500 ? 200 : 260;
    const maxCount = Math.max(1, ...buckets.map((b) => b.stacks.reduce((a, v) => a + v, 0)));
    const countStep = niceStep(maxCount, 4, true);
    const countTop = countStep * Math.ceil(maxCount / countStep);
    const maxLine = Math.max(1, ...buckets.map((b) => b.line));
    const lineStep = niceStep(maxLine, 4, true);
    const lineTop = lineStep * Math.ceil(maxLine / lineStep);
    const lineLabels = [];
    for (let v = 0; v <= lineTop + 1e-9; v += lineStep) lineLabels.push([v, fmt.formatDongShort(v)]);
    // Room for the longest axis label (11 px text is about 6.6 px a character).
    const labelRoom = (text) => Math.ceil(text.length * 6.6) + 10;
    const m = { top: 12, bottom: 28, left: labelRoom(fmt.formatCount(countTop)),
      right: Math.max(...lineLabels.map(([, text]) => labelRoom(text))) };
    const plotW = width - m.left - m.right;
    const plotH = height - m.top - m.bottom;
    const y = (v) => m.top + plotH - (v / countTop) * plotH;
    const yLine = (v) => m.top + plotH - (v / lineTop) * plotH;
    const band = plotW / buckets.length;
    // Drawn for the container's width; the viewBox lets it shrink with the page after that.
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'time-chart', role: 'img',
      'aria-label': 'Redemptions and ' + lineName + ' over time' });

    for (let v = 0; v <= countTop + 1e-9; v += countStep) {
      chart.appendChild(svg('line', { x1: m.left, x2: m.left + plotW, y1: y(v), y2: y(v),
        class: 'grid' }));
      chart.appendChild(svg('text', { x: m.left - 6, y: y(v) + 4, class: 'axis',
        'text-anchor': 'end' }, fmt.formatCount(v)));
    }
    for (const [v, text] of lineLabels) {
      chart.appendChild(svg('text', { x: m.left + plotW + 6, y: yLine(v) + 4,
        class: 'axis line-axis' }, text));
    }
    const labelEvery = Math.max(1, Math.ceil(58 / band));
    const points = [];
    buckets.forEach((bucket, i) => {
      const x = m.left + i * band;
      const barW = Math.min(56, Math.max(1, band * 0.72));
      let top = 0;
      const group = titled(svg('g', {}), bucket.title);
      bucket.stacks.forEach((value, s) => {
        if (value <= 0) return;
        group.appendChild(svg('rect', { x: x + (band - barW) / 2, y: y(top + value),
          width: barW, height: Math.max(0.5, y(top) - y(top + value)),
          class: 'bar ' + series[s].className }));
        top += value;
      });
      // An invisible full-height target so the tooltip works on empty buckets too.
      group.appendChild(svg('rect', { x, y: m.top, width: band, height: plotH, class: 'hit' }));
      chart.appendChild(group);
      if (i % labelEvery === 0) {
        chart.appendChild(svg('text', { x: x + band / 2, y: height - 8, class: 'axis',
          'text-anchor': 'middle' }, bucket.label));
      }
      points.push((x + band / 2).toFixed(1) + ',' + yLine(bucket.line).toFixed(1));
    });
    chart.appendChild(svg('polyline', { points: points.join(' '), class: 'line' }));
    if (buckets.length <= 40) {
      points.forEach((p) => {
        const [cx, cy] = p.split(',');
        chart.appendChild(svg('circle', { cx, cy, r: 3, class: 'dot' }));
      });
    }
    container.appendChild(chart);
    const legend = html('div', 'legend');
    series.forEach((s) => {
      const item = html('span', 'legend-item');
      item.append(swatch(null, 'bar ' + s.className), s.name);
      legend.appendChild(item);
    });
    const lineItem = html('span', 'legend-item');
    lineItem.append(swatch(null, 'line-swatch'), lineName + ' (right axis)');
    legend.appendChild(lineItem);
    container.appendChild(legend);
  }

  // A ring of slices with a legend: slices [{label, value, detail}], shares of their sum;
  // center: {label, value}, two short lines in the hole.
  function donut(container, slices, center, fmt) {
    container.replaceChildren();
    const total = slices.reduce((a, s) => a + s.value, 0);
    if (total <= 0) {
      container.appendChild(html('p', 'empty', 'Nothing committed yet.'));
      return;
    }
    const size = 168;
    const r = 70;
    const inner = 50;
    const c = size / 2;
    const ring = svg('svg', { width: size, height: size, viewBox: `0 0 ${size} ${size}`,
      class: 'donut', role: 'img', 'aria-label': center.label + ' ' + center.value });
    let angle = -Math.PI / 2;
    const legend = html('ul', 'donut-legend');
    slices.forEach((slice, i) => {
      const color = PALETTE[i % PALETTE.length];
      const share = slice.value / total;
      const title = `${slice.label}: ${fmt.formatPercent(share)} — ${slice.detail}`;
      if (share >= 0.9999) {
        ring.appendChild(titled(svg('circle', { cx: c, cy: c, r: (r + inner) / 2, fill: 'none',
          stroke: color, 'stroke-width': r - inner }), title));
      } else if (share > 0) {
        const end = angle + share * 2 * Math.PI;
        const large = end - angle > Math.PI ? 1 : 0;
        const p = (rad, a) => `${(c + rad * Math.cos(a)).toFixed(2)} ${(c + rad * Math.sin(a)).toFixed(2)}`;
        const d = `M ${p(r, angle)} A ${r} ${r} 0 ${large} 1 ${p(r, end)} ` +
          `L ${p(inner, end)} A ${inner} ${inner} 0 ${large} 0 ${p(inner, angle)} Z`;
        ring.appendChild(titled(svg('path', { d, fill: color, class: 'slice' }), title));
        angle = end;
      }
      const item = html('li');
      const name = html('span', 'name');
      name.append(swatch(color), slice.label);
      item.append(name, html('span', 'share', fmt.formatPercent(share)),
        html('span', 'detail', slice.detail));
      legend.appendChild(item);
    });
    ring.appendChild(svg('text', { x: c, y: c - 4, 'text-anchor': 'middle', class: 'center-label' },
      center.label));
    ring.appendChild(svg('text', { x: c, y: c + 13, 'text-anchor': 'middle', class: 'center' },
      center.value));
    const wrap = html('div', 'donut-wrap');
    wrap.append(ring, legend);
    container.appendChild(wrap);
  }

  // A horizontal meter, `share` of it filled (0..1); className colours the fill.
  function meter(share, className, title) {
    const bar = svg('svg', { class: 'meter', width: '100%', height: 10, role: 'img',
      'aria-label': title });
    bar.appendChild(svg('rect', { width: '100%', height: 10, rx: 5, class: 'track' }));
    const clamped = Math.min(1, Math.max(0, share));
    if (clamped > 0) {
      bar.appendChild(svg('rect', { width: (clamped * 100).toFixed(2) + '%', height: 10, rx: 5,
        class: 'fill ' + className }));
    }
    return titled(bar, title);
  }

  // Ranked rows with a bar each: rows [{label, sublabel, value, text}], bars relative to the
  // largest value.
  function rankedBars(container, rows, emptyText) {
    container.replaceChildren();
    if (rows.length === 0) {
      container.appendChild(html('p', 'empty', emptyText));
      return;
    }
    const max = Math.max(1, ...rows.map((row) => row.value));
    const list = html('ol', 'ranked');
    rows.forEach((row) => {
      const item = html('li');
      const head = html('div', 'ranked-head');
      const label = html('span', 'name', row.label);
      if (row.sublabel) label.appendChild(html('small', '', ' ' + row.sublabel));
      head.append(label, html('span', 'value', row.text));
      item.append(head, meter(row.value / max, 'rank', row.label + ': ' + row.text));
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  root.UudaiCharts = Object.freeze({ timeChart, donut, meter, rankedBars, html });
})(globalThis);
