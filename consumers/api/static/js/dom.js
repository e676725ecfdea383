// Building elements: content is always text (never HTML), so nothing an outlet writes can run here.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "style") el.style.cssText = v;
    else if (k === "href" && !linkable(v)) continue;  // never a javascript: or data: link
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

// Schemes a link may have: pages (http, https) and the dashboard's own downloads (blob).
const LINK_SCHEMES = new Set(["http:", "https:", "blob:"]);

function scheme(url, base) {
  try {
    return new URL(String(url), base).protocol;
  } catch {
    return "";
  }
}

export const linkable = (url) => LINK_SCHEMES.has(scheme(url, location.href));

// An outlet's URL: a link when it is http(s), else plain text (an imported `javascript:` URL must not run).
export function outLink(url, attrs = {}) {
  const web = ["http:", "https:"].includes(scheme(url));
  return web ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", dir: "ltr", ...attrs }, url)
    : h("span", { dir: "ltr", ...attrs }, String(url));
}

export const clear = (el) => { el.replaceChildren(); return el; };

// A term and its value in a <dl class="facts">: nothing at all when the value is empty (null, "", []).
export function detail(label, value) {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)
    ? [] : [h("dt", {}, label), h("dd", {}, value)];
}

// A table from column specs [{label, value(row), num?}]; empty rows give the "no data" line.
export function table(columns, rows, empty) {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) => h("td", { class: c.num ? "num" : null, dir: c.dir }, c.value(r)))))));
}

// Content text in its own direction and language, inside an interface of the other.
export const content = (text, lang) => h("bdi", { dir: "auto", lang: lang || null }, text ?? "");
