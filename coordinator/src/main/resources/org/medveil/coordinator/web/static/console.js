// MedVeil web console: plain JavaScript, no build step. Pages are drawn from the coordinator's
// JSON API and refreshed every 2 s (polling); text is always set with textContent, never as HTML.
"use strict";

const REFRESH_MS = 2000;
let me = null;
let timer = null;
let view = null; // {key, charts: {...}} of the page on screen

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.substring(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

class Refused extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// A refresh whose answer is the same as the last one leaves the page as it is (no flicker, no lost selection).
const UNCHANGED = new Error("unchanged");
const lastBody = new Map();

async function api(path, refresh) {
  const r = await fetch(path, { credentials: "same-origin", headers: refresh ? { "X-Console-Refresh": "1" } : {} });
  const text = await r.text();
  let body = {};
  try { body = JSON.parse(text); } catch (e) { /* an error page */ }
  if (!r.ok) throw new Refused(r.status, body.error || ("HTTP " + r.status));
  if (refresh && lastBody.get(path) === text) throw UNCHANGED;
  lastBody.set(path, text);
  return body;
}

async function post(path, data) {
  const r = await fetch(path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(data || {})
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Refused(r.status, body.error || ("HTTP " + r.status));
  return body;
}

function badge(text, cls) { return h("span", { class: "badge " + (cls || text) }, text); }
function when(iso) { return iso ? new Date(iso).toLocaleString() : "—"; }
function ago(iso) {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return s < 90 ? s + " s ago" : s < 5400 ? Math.round(s / 60) + " min ago" : when(iso);
}
function num(v, digits) { return v === undefined || v === null ? "—" : Number(v).toFixed(digits); }
function short(hex) { return hex ? hex.substring(0, 16) + "…" : "—"; }
function bytes(n) {
  if (!n) return "0 B";
  const u = ["B", "KiB", "MiB", "GiB"]; let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 1 : 0) + " " + u[i];
}

function main() { return document.getElementById("main"); }
function show(...nodes) {
  main().replaceChildren(...nodes.flat(Infinity).filter(n => n !== null && n !== undefined && n !== false));
}

function refusedPage(e) {
  if (e.status === 401) {
    return h("div", { class: "refused", id: "signed-out" },
      "You are not signed in, or your session ended. Run ",
      h("code", { text: "medveil console open --kit YOUR_KIT" }),
      " and open the link it prints (it works once, within a minute).");
  }
  if (e.status === 403) return h("div", { class: "refused", id: "refused" }, "Not allowed: " + e.message);
  return h("div", { class: "refused", id: "error" }, e.message);
}

// ---- jobs list

async function jobsPage(refresh) {
  const jobs = await api("/api/jobs", refresh);
  const rows = jobs.slice().reverse().map(j => {
    const accepted = j.sites.filter(s => s.decision === "accepted").length;
    const declined = j.sites.filter(s => s.decision === "declined");
    return h("tr", { "data-job": j.id },
      h("td", {}, h("a", { href: "#/jobs/" + encodeURIComponent(j.id), text: j.name }),
        h("div", { class: "mono muted", text: j.id })),
      h("td", {}, badge(j.state), j.reason ? h("div", { class: "reason", text: j.reason }) : null),
      h("td", { text: j.strategy }),
      h("td", {}, j.encrypted ? badge("HE on: " + j.he, "ok") : badge("HE off", "stale")),
      h("td", {}, accepted + " accepted" + (declined.length ? ", " + declined.length + " declined" : ""),
        declined.map(d => h("div", { class: "reason", text: d.site + ": " + (d.reason || "declined") }))),
      h("td", { text: j.currentRound + " / " + j.rounds }),
      h("td", { text: when(j.submitted) }));
  });
  return [h("h1", { text: "Jobs" }),
    jobs.length === 0 ? h("p", { class: "muted", text: "No jobs yet. Researchers submit them with 'medveil job submit'." })
      : h("table", { id: "jobs" },
        h("thead", {}, h("tr", {}, ["Job", "State", "Strategy", "Encryption", "Sites", "Round", "Submitted"]
          .map(t => h("th", { text: t })))),
        h("tbody", {}, rows))];
}

// ---- one job

const PHASES = [["train", "sites: download, train, upload"], ["aggregate", "verify & aggregate"],
  ["decrypt", "threshold decryption"], ["record", "model & manifest"]];

function chart(id, title, series, yRange) {
  const box = h("div", { class: "card chart", id: id, "data-rounds": "0" }, h("h2", { text: title }));
  return { box, series, yRange, plot: null };
}

function drawChart(c, xs, ys) {
  c.box.setAttribute("data-rounds", String(xs.length));
  const data = [xs, ...ys];
  const width = Math.max(300, c.box.clientWidth - 34);
  if (c.plot) {
    c.plot.setData(data);
    return;
  }
  if (typeof uPlot === "undefined") return;
  c.plot = new uPlot({
    width, height: 200,
    scales: { x: { time: false }, y: c.yRange ? { range: c.yRange } : { auto: true } },
    axes: [{ label: "round", incrs: [1, 2, 5, 10, 20, 50, 100] }, {}],
    series: [{ label: "round" }, ...c.series.map(s => ({ label: s[0], stroke: s[1], width: 2, points: { size: 7 } }))]
  }, data, c.box);
}

function timeline(phases) {
  const byRound = new Map();
  for (const p of phases) {
    const key = p.round + (p.attempt > 1 ? " (try " + p.attempt + ")" : "");
    if (!byRound.has(key)) byRound.set(key, []);
    byRound.get(key).push(p);
  }
  if (byRound.size === 0) return h("p", { class: "muted", text: "No round has finished yet." });
  const longest = Math.max(...[...byRound.values()].map(ps => ps.reduce((a, p) => a + p.seconds, 0)), 0.001);
  const rows = [...byRound.entries()].map(([key, ps]) => {
    const total = ps.reduce((a, p) => a + p.seconds, 0);
    const bar = h("div", { class: "bar" });
    bar.style.width = Math.max(8, 100 * total / longest) + "%";
    for (const p of ps) {
      const seg = h("div", { class: "seg " + p.phase, title: p.phase + ": " + p.seconds.toFixed(2) + " s",
        text: p.seconds >= 0.05 * longest ? p.seconds.toFixed(1) + " s" : "" });
      seg.style.width = (100 * p.seconds / Math.max(total, 0.001)) + "%";
      bar.appendChild(seg);
    }
    return h("div", { class: "row" }, h("span", { class: "label", text: "round " + key }), bar,
      h("span", { class: "muted", text: total.toFixed(1) + " s" }));
  });
  return h("div", { class: "timeline", id: "timeline" },
    h("div", { class: "legend" }, PHASES.map(([k, t]) => h("span", {}, h("i", { class: k }), t))), rows);
}

function abortBox(job) {
  if (!me.may.abort || ["completed", "failed", "aborted"].includes(job.state)) return null;
  const reason = h("input", { type: "text", id: "abort-reason", placeholder: "reason (shown to the sites)" });
  const confirm = h("button", { type: "button", class: "danger", id: "abort-confirm", hidden: true }, "Confirm: abort this job");
  const start = h("button", { type: "button", class: "danger", id: "abort" }, "Abort job…");
  const msg = h("span", { id: "abort-message", class: "reason" });
  start.addEventListener("click", () => { confirm.hidden = false; start.hidden = true; reason.focus(); });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      await post("/api/jobs/" + encodeURIComponent(job.id) + "/abort", { reason: reason.value });
      msg.textContent = "aborted";
      render(true);
    } catch (e) {
      msg.textContent = e.message;
      confirm.disabled = false;
    }
  });
  return h("div", { class: "card" }, h("strong", { text: "Project admin: " }), reason, " ", start, confirm, " ", msg);
}

async function jobPage(id, refresh) {
  const j = await api("/api/jobs/" + encodeURIComponent(id), refresh);
  const key = "job:" + id;
  if (!view || view.key !== key || !refresh) {
    view = {
      key, charts: {
        quality: chart("chart-quality", "Aggregated accuracy, AUC, sensitivity, specificity",
          [["accuracy", "#1d5fbf"], ["AUC", "#b42318"], ["sensitivity", "#1a7f37"], ["specificity", "#8a5a00"]], [0, 1]),
        loss: chart("chart-loss", "Aggregated mean training loss", [["loss", "#5b2a86"]]),
        participation: chart("chart-participation", "Participation per round",
          [["sites contributing", "#1a7f37"], ["sites left out", "#b42318"]], [0, Math.max(1, j.sites.length)]),
        wire: chart("chart-wire", "MiB on the wire per round (bulk transfers)", [["to sites", "#1d5fbf"], ["from sites", "#c26a1b"]])
      },
      abort: abortBox(j) // kept across refreshes: a reason being typed must survive them
    };
  }
  if (["completed", "failed", "aborted"].includes(j.state)) view.abort = null;
  const done = j.roundSummaries.filter(r => r.state === "completed");
  const xs = done.map(r => r.round);
  const facts = h("div", { class: "card facts" },
    h("div", {}, h("span", { class: "k", text: "strategy" }), j.strategy),
    h("div", {}, h("span", { class: "k", text: "encryption" }), j.encrypted ? "HE, parameter set " + j.he : "off (plaintext updates)"),
    h("div", {}, h("span", { class: "k", text: "decryption threshold" }), j.encrypted ? j.threshold + " of the accepted sites" : "—"),
    h("div", {}, h("span", { class: "k", text: "minimum sites" }), String(j.minSites)),
    h("div", {}, h("span", { class: "k", text: "round" }), h("span", { id: "current-round", text: j.currentRound + " of " + j.rounds })),
    h("div", {}, h("span", { class: "k", text: "submitted" }), when(j.submitted)));
  const sites = h("table", { id: "job-sites" },
    h("thead", {}, h("tr", {}, ["Site", "Decision", "Reason the site gave"].map(t => h("th", { text: t })))),
    h("tbody", {}, j.sites.map(s => h("tr", {}, h("td", { text: s.site }), h("td", {}, badge(s.decision)),
      h("td", { class: "reason", text: s.reason || "" })))));
  const c = view.charts;
  const wireMeasured = j.roundSummaries.some(r => r.bytesIn || r.bytesOut);
  show(h("h1", {}, "Job ", h("span", { id: "job-name", text: j.name }), " ",
      h("span", { id: "job-state", "data-state": j.state }, badge(j.state)), " ",
      h("a", { href: "#/jobs/" + encodeURIComponent(j.id) + "/manifests", id: "manifests-link", class: "small" },
        "manifests and their verification →")),
    j.reason ? h("p", { class: "reason", id: "job-reason", text: j.reason }) : null,
    view.abort, facts,
    h("div", { class: "charts" }, c.quality.box, c.loss.box, c.participation.box,
      wireMeasured ? c.wire.box : h("div", { class: "card" }, h("h2", { text: "Bytes on the wire" }),
        h("p", { class: "muted", text: "Not measured yet (counted once a round completes, since the coordinator started)." }))),
    h("h2", { text: "Round timeline (as the coordinator saw it)" }), h("div", { class: "card" }, timeline(j.phases || [])),
    h("h2", { text: "Sites" }), sites,
    h("p", { class: "mono muted", text: j.id }),
    h("p", { class: "muted", text: "Only aggregates over the contributing sites exist; no site's own values are shown or kept." }));
  drawChart(c.quality, xs, [done.map(r => r.accuracy), done.map(r => r.auc), done.map(r => r.sensitivity),
    done.map(r => r.specificity)]);
  drawChart(c.loss, xs, [done.map(r => r.loss)]);
  drawChart(c.participation, xs, [done.map(r => r.participants.length), done.map(r => r.leftOut.length)]);
  const mib = n => (n || 0) / 1048576;
  if (wireMeasured) drawChart(c.wire, xs, [done.map(r => mib(r.bytesOut)), done.map(r => mib(r.bytesIn))]);
  return null;
}

// ---- manifests

async function manifestsPage(id, refresh) {
  const m = await api("/api/jobs/" + encodeURIComponent(id) + "/manifests", refresh);
  const file = name => h("a", { href: "/api/jobs/" + encodeURIComponent(id) + "/files/" + encodeURIComponent(name),
    download: name, class: "mono" }, name);
  const entries = m.entries.map(e => h("tr", { class: "status-" + e.status, "data-round": String(e.round) },
    h("td", { text: String(e.round) }), h("td", {}, file(e.file)),
    h("td", {}, m.files.includes(e.signature) ? file(e.signature) : "—"),
    h("td", { class: "mono", title: e.sha256 || "", text: short(e.sha256) }),
    h("td", { text: e.countersignedBy.join(", ") || "—" }),
    h("td", {}, badge(e.status), e.reason ? h("div", { class: "reason", text: e.reason }) : null)));
  const others = m.files.filter(f => f.endsWith(".pem"));
  return [h("h1", {}, "Manifests of job ", h("a", { href: "#/jobs/" + encodeURIComponent(id), text: id })),
    h("div", { class: "banner " + (m.entries.length === 0 ? "info" : m.verified ? "ok" : "bad"), id: "manifest-summary",
      "data-verified": String(m.verified) }, m.summary),
    m.warnings.length ? h("div", { class: "card" }, h("strong", { text: "Warnings" }),
      h("ul", {}, m.warnings.map(w => h("li", { text: w })))) : null,
    h("table", { id: "manifests" },
      h("thead", {}, h("tr", {}, ["Round", "Manifest", "Signature", "SHA-256", "Countersigned by", "Checked by the coordinator"]
        .map(t => h("th", { text: t })))), h("tbody", {}, entries)),
    h("h2", { text: "Certificates" }),
    h("p", {}, others.length ? others.map(f => [file(f), " "]) : "—"),
    h("h2", { text: "Check offline" }),
    h("div", { class: "card" },
      h("p", { text: "The same check as the console's, with the project CA:" }),
      h("pre", { class: "mono", text: "medveil manifest verify --ca ca.pem manifests/" }),
      h("p", { text: "Or each signature with openssl alone:" }),
      h("pre", { class: "mono", text: "openssl x509 -in coordinator.pem -pubkey -noout > coordinator.pub\n"
        + "openssl dgst -sha256 -verify coordinator.pub -signature round-000001.sig round-000001.json" }))];
}

// ---- sites

async function sitesPage(refresh) {
  const sites = await api("/api/sites", refresh);
  const rows = sites.map(s => {
    let expiry = "—";
    if (s.certificateNotAfter) {
      const days = Math.floor((new Date(s.certificateNotAfter).getTime() - Date.now()) / 86400000);
      expiry = when(s.certificateNotAfter) + (days < 0 ? " (expired)" : " (" + days + " days)");
    }
    return h("tr", { "data-site": s.name }, h("td", { text: s.name }), h("td", {}, badge(s.state)),
      h("td", { text: ago(s.lastHeartbeat) }), h("td", { text: when(s.connectedSince) }),
      h("td", { text: s.softwareVersion || "—" }), h("td", { class: "mono", title: s.certificateFingerprint || "",
        text: short(s.certificateFingerprint) }),
      h("td", { text: expiry }), h("td", {}, s.revokedAt ? badge("revoked " + when(s.revokedAt), "revoked") : "no"));
  });
  return [h("h1", { text: "Sites" }),
    sites.length === 0 ? h("p", { class: "muted", text: "No site has connected yet." })
      : h("table", { id: "sites" }, h("thead", {}, h("tr", {}, ["Site", "Connection", "Last heartbeat", "Connected since",
        "Software", "Certificate", "Certificate expires", "Revoked"].map(t => h("th", { text: t })))),
        h("tbody", {}, rows))];
}

// ---- routing and refresh

async function render(refresh) {
  const hash = location.hash || "#/jobs";
  const parts = hash.substring(2).split("/").map(decodeURIComponent);
  document.getElementById("nav-jobs").classList.toggle("active", parts[0] === "jobs");
  document.getElementById("nav-sites").classList.toggle("active", parts[0] === "sites");
  try {
    if (!me) {
      me = await api("/api/me");
      document.getElementById("who").textContent = me.name + " · " + me.role;
      document.getElementById("logout").hidden = false;
    }
    let nodes;
    if (parts[0] === "sites") nodes = await sitesPage(refresh);
    else if (parts[0] === "jobs" && parts[1] && parts[2] === "manifests") nodes = await manifestsPage(parts[1], refresh);
    else if (parts[0] === "jobs" && parts[1]) nodes = await jobPage(parts[1], refresh);
    else nodes = await jobsPage(refresh);
    if (nodes) show(...nodes);
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    if (e === UNCHANGED) {
      document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
      return;
    }
    if (e instanceof Refused) show(refusedPage(e));
    else show(h("div", { class: "refused", id: "error" }, "The console cannot reach the coordinator: " + e.message));
    if (e instanceof Refused && e.status === 401) me = null;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(async () => { await render(true); schedule(); }, REFRESH_MS);
}

window.addEventListener("hashchange", () => { view = null; lastBody.clear(); render(false); schedule(); });
window.addEventListener("DOMContentLoaded", () => {
  document.getElementById("logout").addEventListener("click", async () => {
    try { await post("/logout"); } catch (e) { /* signed out either way */ }
    me = null;
    document.getElementById("who").textContent = "";
    document.getElementById("logout").hidden = true;
    clearTimeout(timer);
    show(h("p", { id: "signed-out", text: "Signed out." }));
  });
  render(false);
  schedule();
});
