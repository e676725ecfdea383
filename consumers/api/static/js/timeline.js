// The timeline: articles per topic per day (or hour) as stacked bars, or incidents per type per event day
// (`series` then gives the types' labels and colours), with spike alerts shaded over their window.
//
// What an analyst can trust: every bucket of the window is drawn, empty ones as zero (a gap is a gap, not a
// line across it); the window is the page's date filter when it has one, else the latest activity (the last
// 30 days up to the newest bucket, or 7, 90, 365 days or all); time labels are chosen for the span and any
// label that would touch its neighbour is left out; beneath, the whole span as a strip on which dragging picks a
// period that becomes the page's date filter. Time runs left to right in both languages, as on the region's
// printed charts; a table gives the same figures.
import { clear, h, table } from "./dom.js";
import { date, getLang, isolate, num, t, tn, topicColor, topicLabel } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const HOUR = 3600000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MAX_BARS = 1500; // beyond this many buckets in the window, hours are summed per day and days per week
const LABEL_GAP = 8; // px between two time labels at least

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}

const parseBucket = (key) => Date.parse(key.length === 10 ? `${key}T00:00:00Z` : key.length === 13 ? `${key}:00:00Z` : key);
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const startOfDay = (ms) => Math.floor(ms / DAY) * DAY;
const startOfWeek = (ms) => { const d = startOfDay(ms); return d - ((new Date(d).getUTCDay() + 6) % 7) * DAY; }; // Monday
const floorTo = (ms, unit) => (unit === HOUR ? Math.floor(ms / HOUR) * HOUR : unit === DAY ? startOfDay(ms) : startOfWeek(ms));

const fmtCache = new Map();
function fmt(ms, options) {
  const key = `${getLang()}|${JSON.stringify(options)}`;
  if (!fmtCache.has(key)) {
    fmtCache.set(key, new Intl.DateTimeFormat(getLang() === "ar" ? "ar-SY-u-nu-latn" : "en-GB", { timeZone: "UTC", ...options }));
  }
  return fmtCache.get(key).format(new Date(ms));
}

// Tick steps from fine to coarse: [length in ms (about), where the ticks fall, how a tick is labelled].
const MONTH_STEPS = [1, 2, 3, 6];
const STEPS = [
  ...[1, 3, 6, 12].map((n) => ({ ms: n * HOUR, every: (ms) => ms % (n * HOUR) === 0, width: 46,
    label: (ms) => (ms % DAY === 0 ? fmt(ms, { day: "numeric", month: "short" }) : fmt(ms, { hour: "2-digit", minute: "2-digit", hour12: false })) })),
  ...[1, 2].map((n) => ({ ms: n * DAY, every: (ms) => (ms / DAY) % n === 0, width: 62,
    label: (ms) => fmt(ms, { day: "numeric", month: "short" }) })),
  ...[1, 2].map((n) => ({ ms: n * WEEK, every: (ms) => startOfWeek(ms) === ms && ((ms - startOfWeek(0)) / WEEK) % n === 0, width: 62,
    label: (ms) => fmt(ms, { day: "numeric", month: "short" }) })),
  ...MONTH_STEPS.map((n) => ({ ms: n * 30 * DAY, every: (ms) => { const d = new Date(ms); return d.getUTCDate() === 1 && ms === startOfDay(ms) && d.getUTCMonth() % n === 0; },
    width: 84, label: (ms) => fmt(ms, { month: "short", year: "numeric" }) })),
  ...[1, 2, 5, 10].map((n) => ({ ms: n * 365 * DAY, every: (ms) => { const d = new Date(ms); return d.getUTCMonth() === 0 && d.getUTCDate() === 1 && ms === startOfDay(ms) && d.getUTCFullYear() % n === 0; },
    width: 40, label: (ms) => fmt(ms, { year: "numeric" }) })),
];

// Tick times in [t0, t1] for a plot `width` px wide: the finest step whose labels fit, on the unit's grid.
function ticks(t0, t1, width, unit) {
  const span = Math.max(t1 - t0, unit);
  const step = STEPS.find((st) => st.ms >= unit && (span / st.ms) * (st.width + LABEL_GAP) <= width) || STEPS[STEPS.length - 1];
  const out = [];
  const grid = step.ms < DAY ? HOUR : DAY;
  for (let ms = Math.ceil(t0 / grid) * grid; ms <= t1 && out.length < 400; ms += grid) if (step.every(ms)) out.push(ms);
  return { step, ticks: out };
}

// Labels that would overlap the one kept before them (or leave the plot) are removed: measured, not guessed.
function dropOverlaps(labels, left, right) {
  let end = -Infinity;
  for (const el of labels) {
    const w = el.getComputedTextLength();
    const x = Number(el.getAttribute("x"));
    const a = x - w / 2;
    const b = x + w / 2;
    if (a < left - 2 || b > right + 2 || a < end + LABEL_GAP) el.remove(); else end = b;
  }
}

function niceMax(n) {
  if (n <= 5) return Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= n);
}

// The window shown: the date filter's days, else the last `windowDays` days up to the newest bucket (or all).
export function timelineWindow(range, windowDays, first, last, unit) {
  const lastBucket = unit === HOUR ? last : startOfDay(last);
  const to = range.until ? parseBucket(range.until) + (unit === HOUR ? DAY - HOUR : 0) : lastBucket;
  if (range.since) return [parseBucket(range.since), Math.max(to, parseBucket(range.since))];
  if (range.until || windowDays === "all") return [Math.min(first, to), to];
  return [to - (Number(windowDays) * DAY - unit), to];
}

export function renderTimeline({ el, tableEl, legendEl, overviewEl, summaryEl }, rows,
  { per = "day", spikes = [], label = topicLabel, color: colorOf = topicColor, range = {}, windowDays = "30", onRange } = {}) {
  for (const x of [el, tableEl, legendEl, overviewEl, summaryEl]) if (x) clear(x);
  if (!rows.length) {
    el.append(h("p", { class: "muted" }, t("no_data")));
    return;
  }
  const base = per === "hour" ? HOUR : DAY;
  const points = rows.map((r) => ({ key: r.key, ms: parseBucket(r[per]), n: r.articles }));
  const first = Math.min(...points.map((p) => p.ms));
  const last = Math.max(...points.map((p) => p.ms));
  const [w0, w1] = timelineWindow(range, windowDays, first, last, base);
  let unit = base;
  if ((w1 - w0) / unit + 1 > MAX_BARS && unit === HOUR) unit = DAY;
  if ((w1 - w0) / unit + 1 > MAX_BARS) unit = WEEK;
  const b0 = floorTo(w0, unit);
  const b1 = floorTo(w1, unit);

  // every bucket of the window, zeros included
  const buckets = new Map();
  for (let ms = b0; ms <= b1; ms = unit === HOUR ? ms + HOUR : startOfDay(ms + unit + HOUR)) buckets.set(ms, new Map());
  const totals = new Map();
  for (const p of points) {
    if (p.ms < w0 || p.ms > w1 + base - 1) continue;
    const b = buckets.get(floorTo(p.ms, unit));
    if (!b) continue;
    b.set(p.key, (b.get(p.key) || 0) + p.n);
    totals.set(p.key, (totals.get(p.key) || 0) + p.n);
  }
  const keys = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const sums = [...buckets.values()].map((b) => [...b.values()].reduce((a, n) => a + n, 0));
  const max = niceMax(Math.max(1, ...sums));

  const W = Math.max(280, el.clientWidth || 800);
  const H = 240;
  const pad = { l: 40, r: 16, t: 16, b: 30 };
  const plotW = W - pad.l - pad.r;
  const n = buckets.size;
  const bw = plotW / n;
  const xOf = (ms) => pad.l + ((ms - b0) / (b1 - b0 + unit)) * plotW;
  const y = (v) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const grand = sums.reduce((a, v) => a + v, 0);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", direction: "ltr", "data-total": grand,
    "data-window-start": isoDay(b0), "data-window-end": isoDay(b1), "data-unit": unit === HOUR ? "hour" : unit === DAY ? "day" : "week",
    "aria-label": `${t("timeline")}: ${keys.map((k) => `${label(k)} ${num(totals.get(k))}`).join("، ")}` });

  for (const v of [0, max / 2, max]) {
    svg.append(s("line", { class: v ? "grid" : "axis", x1: pad.l, y1: y(v), x2: W - pad.r, y2: y(v) }));
    svg.append(s("text", { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end" }, num(v, 1)));
  }
  for (const a of spikes) {
    if (!a.window_start) continue;
    const a0 = Date.parse(a.window_start);
    const a1 = a.window_end ? Date.parse(a.window_end) : a0 + base;
    if (a1 < b0 || a0 > b1 + unit) continue;
    const left = Math.max(pad.l, xOf(a0));
    const right = Math.min(W - pad.r, Math.max(xOf(a1), left + 3));
    svg.append(s("rect", { class: "spike", x: left, y: pad.t, width: right - left, height: H - pad.t - pad.b,
      "data-alert": a.alert_id }, s("title", {}, `${t("spike")}: ${a.title || a.rule_id}`)));
  }
  const gap = bw > 6 ? Math.min(2, bw * 0.2) : 0;
  const when = (ms) => (unit === HOUR ? date(new Date(ms).toISOString(), true) : unit === WEEK
    ? `${date(isoDay(ms))} — ${date(isoDay(ms + 6 * DAY))}` : date(isoDay(ms)));
  let i = 0;
  for (const [ms, counts] of buckets) {
    const total = sums[i];
    const g = s("g", { class: "bucket", "data-bucket": unit === HOUR ? new Date(ms).toISOString().slice(0, 13) : isoDay(ms),
      "data-count": total });
    let acc = 0;
    for (const k of keys) {
      const v = counts.get(k);
      if (!v) continue;
      g.append(s("rect", { x: pad.l + i * bw + gap / 2, y: y(acc + v), width: Math.max(0.5, bw - gap),
        height: y(acc) - y(acc + v), fill: colorOf(k), "data-topic": k, "data-count": v }));
      acc += v;
    }
    const detail = keys.filter((k) => counts.get(k)).map((k) => `${label(k)}: ${num(counts.get(k))}`).join("\n");
    g.append(s("title", {}, `${isolate(when(ms))}: ${num(total)}${detail ? `\n${detail}` : ""}`));
    svg.append(g);
    i += 1;
  }
  const axis = ticks(b0, b1 + unit, plotW, unit === WEEK ? DAY : unit);
  const labels = [];
  for (const ms of axis.ticks) {
    const x = xOf(ms);
    svg.append(s("line", { class: "tick", x1: x, y1: H - pad.b, x2: x, y2: H - pad.b + 4 }));
    const text = s("text", { class: "tick-label", x, y: H - 10, "text-anchor": "middle" }, axis.step.label(ms));
    labels.push(text);
    svg.append(text);
  }
  el.append(svg);
  dropOverlaps(labels, 0, W);

  if (legendEl) {
    legendEl.append(...keys.map((k) => h("li", { "data-topic": k },
      h("span", { class: "swatch", style: `background:${colorOf(k)}`, "aria-hidden": "true" }),
      label(k), " ", h("bdi", {}, `(${num(totals.get(k))})`))));
  }
  if (summaryEl) {
    summaryEl.append(
      range.since || range.until ? `${t("win_filter")}: ` : "",
      ...tn("timeline_window", { from: h("bdi", {}, date(isoDay(b0))), to: h("bdi", {}, date(isoDay(b1 + unit - 1))) }),
      unit !== base ? ` ${t(unit === DAY ? "rolled_day" : "rolled_week")}` : "", ".",
      label === topicLabel && keys.length > 1 ? ` ${t("multi_topic_note")}` : "");
  }
  const withData = [...buckets.keys()].filter((_, j) => sums[j]);
  const cols = [{ label: t(unit === HOUR ? "hour" : "day"), value: (ms) => when(ms) },
    ...keys.map((k) => ({ label: label(k), num: true, value: (ms) => num(buckets.get(ms).get(k) || 0) }))];
  tableEl.append(table(cols, withData, t("no_data")));
  if (overviewEl) renderOverview(overviewEl, points, first, last, b0, b1 + unit, onRange);
}

// The whole span as a strip of daily (or weekly) totals, the window marked; dragging picks a period.
function renderOverview(el, points, first, last, w0, w1, onRange) {
  const t0 = Math.min(startOfDay(first), startOfDay(w0));
  const t1 = Math.max(startOfDay(last) + DAY, w1);
  const unit = (t1 - t0) / DAY > MAX_BARS ? WEEK : DAY;
  const sums = new Map();
  for (const p of points) {
    const b = floorTo(p.ms, unit);
    sums.set(b, (sums.get(b) || 0) + p.n);
  }
  const W = Math.max(280, el.clientWidth || 800);
  const H = 56;
  const pad = { l: 40, r: 16, t: 4, b: 18 };
  const plotW = W - pad.l - pad.r;
  const x = (ms) => pad.l + ((ms - t0) / (t1 - t0)) * plotW;
  const toMs = (px) => t0 + ((Math.min(Math.max(px, pad.l), W - pad.r) - pad.l) / plotW) * (t1 - t0);
  const max = Math.max(1, ...sums.values());
  const yb = H - pad.b;
  const pts = [`${x(t0)},${yb}`];
  for (let ms = floorTo(t0, unit); ms < t1; ms = startOfDay(ms + unit + HOUR)) {
    const v = sums.get(ms) || 0;
    const yv = yb - (v / max) * (yb - pad.t);
    pts.push(`${x(Math.max(ms, t0))},${yv}`, `${x(Math.min(ms + unit, t1))},${yv}`);
  }
  pts.push(`${x(t1)},${yb}`);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, direction: "ltr", "data-from": isoDay(t0), "data-to": isoDay(t1 - 1),
    tabindex: 0, role: "group", "aria-label": `${t("timeline_brush")}. ${t("timeline_keys")}` });
  svg.append(s("polygon", { class: "overview-area", points: pts.join(" ") }));
  svg.append(s("line", { class: "axis", x1: pad.l, y1: yb, x2: W - pad.r, y2: yb }));
  const brush = s("rect", { class: "brush", x: x(w0), y: pad.t, width: Math.max(2, x(w1) - x(w0)), height: yb - pad.t });
  svg.append(brush);
  const axis = ticks(t0, t1, plotW, DAY);
  const labels = axis.ticks.map((ms) => s("text", { class: "tick-label", x: x(ms), y: H - 4, "text-anchor": "middle" }, axis.step.label(ms)));
  svg.append(...labels);
  el.append(svg);
  dropOverlaps(labels, 0, W);

  // From the keyboard: the arrows move the period by its own length, earlier or later (time runs left to right).
  svg.addEventListener("keydown", (e) => {
    if (!onRange || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) return;
    e.preventDefault();
    const shift = (e.key === "ArrowLeft" ? -1 : 1) * (w1 - w0);
    onRange(isoDay(w0 + shift), isoDay(w1 + shift - DAY));
  });

  let start = null;
  const px = (e) => ((e.clientX - svg.getBoundingClientRect().left) / svg.getBoundingClientRect().width) * W;
  svg.addEventListener("pointerdown", (e) => {
    start = px(e);
    svg.setPointerCapture(e.pointerId);
    brush.setAttribute("x", start);
    brush.setAttribute("width", 2);
  });
  svg.addEventListener("pointermove", (e) => {
    if (start === null) return;
    const p = Math.min(Math.max(px(e), pad.l), W - pad.r);
    brush.setAttribute("x", Math.min(start, p));
    brush.setAttribute("width", Math.max(2, Math.abs(p - start)));
  });
  svg.addEventListener("pointerup", (e) => {
    if (start === null) return;
    const a = toMs(Math.min(start, px(e)));
    const b = toMs(Math.max(start, px(e)));
    start = null;
    if (onRange) onRange(isoDay(startOfDay(a)), isoDay(Math.max(startOfDay(a), startOfDay(b - 1))));
  });
}
