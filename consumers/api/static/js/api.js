// The page's only way to its data: the query API, same origin, with the token when one is set.
// The token comes from the URL fragment (#token=...) once, or from the token dialog when the API
// answers 401; it is kept in sessionStorage (this tab only) and sent as `Authorization: Bearer`.

import { clear, h } from "./dom.js";
import { isolate, t } from "./i18n.js";

const TOKEN_KEY = "marsad.token";
let asking = null; // one token prompt at a time, shared by concurrent 401s

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export function takeTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search); // keep it out of the address bar
  }
}

function headers() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export function askToken() {
  if (!asking) {
    const dialog = document.getElementById("token-dialog");
    const input = document.getElementById("token-input");
    asking = new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        const value = input.value.trim();
        input.value = "";
        if (value) sessionStorage.setItem(TOKEN_KEY, value);
        asking = null;
        resolve(Boolean(value));
      }, { once: true });
    });
    dialog.showModal();
    input.focus();
  }
  return asking;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// One request; on 401 asks for the token and tries again (until the user gives up with Escape).
export async function fetchApi(path, params = {}) {
  for (;;) {
    const response = await fetch(path + query(params), { headers: headers() });
    if (response.status === 401) {
      if (await askToken()) continue;
    }
    return response;
  }
}

export async function getJson(path, params = {}) {
  const response = await fetchApi(path, params);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// Server-sent events read with fetch (EventSource cannot send the Authorization header).
// Calls onEvent(name, data) per event; reconnects after `retry` ms when the stream ends.
export function streamEvents(path, onEvent, onClosed) {
  let retry = 2000;
  let stopped = false;
  const run = async () => {
    while (!stopped) {
      try {
        const response = await fetchApi(path);
        if (!response.ok || !response.body) throw new ApiError(response.status, null);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = "message";
            const data = [];
            for (const line of block.split("\n")) {
              if (line.startsWith("event:")) name = line.slice(6).trim();
              else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
              else if (line.startsWith("retry:")) retry = Number(line.slice(6)) || retry;
            }
            if (data.length) onEvent(name, JSON.parse(data.join("\n")));
          }
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 503) { onClosed(err); return; } // no live feed here
      }
      onClosed(null);
      await new Promise((r) => setTimeout(r, retry));
    }
  };
  run();
  return () => { stopped = true; };
}

// Downloads an export with the token (a plain link could not send it).
export async function download(path, params) {
  const response = await fetchApi(path, params);
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || path.split("/").pop();
  const url = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// What went wrong, in the page's language; the API's own (English) message under "technical details".
export function errorText(err) {
  if (err instanceof ApiError) {
    if (err.status === 401) return t("token_needed");
    if (err.status === 400 && err.body?.error === "unknown_id") { // a topic or organisation the taxonomy lacks
      return t("err_unknown_id", { what: t(`id_${err.body.parameter}`), value: isolate(err.body.value) });
    }
    if (err.status === 400) return t("err_bad_request");
    if (err.status === 404) return t("err_not_found");
    return t("err_server", { status: err.status });
  }
  return t("err_network");
}

export function errorNodes(err) {
  const detail = err instanceof ApiError ? err.message : String(err && err.message ? err.message : err);
  return [h("span", {}, errorText(err)), " ", h("details", { class: "error-details" },
    h("summary", {}, t("err_details")), h("code", { dir: "ltr", lang: "en" }, detail))];
}

// Opens the dialog `name` ("article", "incident": #name-dialog, -title, -body) at once, emptied, then
// loads `path`: { title, body, data }, or null once the error is shown in it (titled `id`).
export async function openRecord(name, path, id) {
  const dialog = document.getElementById(`${name}-dialog`);
  const body = clear(document.getElementById(`${name}-body`));
  const title = document.getElementById(`${name}-title`);
  title.textContent = "…";
  if (!dialog.open) dialog.showModal();
  try {
    return { title, body, data: await getJson(path) };
  } catch (err) {
    title.textContent = id;
    body.append(h("p", { class: "error" }, ...errorNodes(err)));
    return null;
  }
}
