/* floorsim serve: the page scripts (reform composer, job polling, charts with the bundled Chart.js). */
"use strict";
const floorsim = (() => {
  const DRAFT = "floorsim.draft";

  // The page's language: texts translated by the server (floorsim/simulations/web/language.py), English where missing.
  // t("... {name} ...", {name: value}) fills placeholders after translation, like Labels.text in Python.
  let texts = null;
  function t(message, values) {
    if (texts === null) {
      const node = document.getElementById("floorsim-texts");
      try { texts = node ? JSON.parse(node.textContent) : {}; } catch (e) { texts = {}; }
    }
    let text = texts[message] || message;
    Object.entries(values || {}).forEach(([key, value]) => { text = text.split(`{${key}}`).join(String(value)); });
    return text;
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(DRAFT)) || {name: "my_reform", changes: []}; }
    catch (e) { return {name: "my_reform", changes: []}; }
  }
  function store(draft) { localStorage.setItem(DRAFT, JSON.stringify(draft)); }

  function parseValue(text) {
    const t = String(text).trim().toLowerCase();
    if (t === "true" || t === "false") return t === "true";
    const n = Number(t.replace(/,/g, ""));
    return Number.isFinite(n) && t !== "" ? n : null;
  }

  function render(draft) {
    const body = document.querySelector("#changes tbody");
    if (!body) return;
    body.innerHTML = "";
    draft.changes.forEach((change, index) => {
      const row = document.createElement("tr");
      const path = document.createElement("td"); path.textContent = change.parameter;
      const value = document.createElement("td"); value.textContent = change.value; value.className = "num";
      const remove = document.createElement("td");
      const button = document.createElement("button"); button.type = "button"; button.textContent = "×";
      button.title = t("remove"); button.onclick = () => { draft.changes.splice(index, 1); store(draft); render(draft); };
      remove.appendChild(button);
      row.append(path, value, remove); body.appendChild(row);
    });
    document.getElementById("no-changes").hidden = draft.changes.length > 0;
    document.getElementById("reform-name").value = draft.name || "my_reform";
  }

  function add(draft, path, text) {
    const error = document.getElementById("run-error");
    const value = parseValue(text);
    if (value === null) { error.textContent = t("'{text}' is not a number (or true/false) for {path}", {text, path}); return; }
    error.textContent = "";
    draft.changes = draft.changes.filter(c => c.parameter !== path);
    draft.changes.push({parameter: path, value: value});
    store(draft); render(draft);
  }

  function message(detail) {
    if (!detail) return t("request failed");
    if (typeof detail === "string") return detail;
    let text = detail.message || JSON.stringify(detail);
    (detail.problems || []).forEach(p => { if (p.suggestions && p.suggestions.length) text += " " + t("(did you mean {suggestions}?)", {suggestions: p.suggestions.join(", ")}); });
    return text;
  }

  function composer(country, survey, period) {
    const draft = load();
    render(draft);
    document.querySelectorAll("button.add").forEach(button => {
      button.addEventListener("click", () => {
        const input = document.querySelector(`input.edit[data-path="${CSS.escape(button.dataset.path)}"]`);
        add(draft, button.dataset.path, input.value);
      });
    });
    document.querySelectorAll("input.edit").forEach(input => {
      input.addEventListener("keydown", event => { if (event.key === "Enter") add(draft, input.dataset.path, input.value); });
    });
    document.getElementById("free-add").onclick = () =>
      add(draft, document.getElementById("free-path").value.trim(), document.getElementById("free-value").value);
    document.getElementById("reform-name").onchange = event => { draft.name = event.target.value; store(draft); };
    document.getElementById("clear").onclick = () => { draft.changes = []; store(draft); render(draft); };
    document.getElementById("run").onclick = async () => {
      const error = document.getElementById("run-error");
      draft.name = document.getElementById("reform-name").value.trim() || "my_reform"; store(draft);
      if (!draft.changes.length) { error.textContent = t("Add at least one change first."); return; }
      error.textContent = t("Starting…");
      const response = await fetch("/api/reforms/run", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({country, survey, period, name: draft.name, changes: draft.changes}),
      });
      const data = await response.json();
      if (!response.ok) { error.textContent = message(data.detail); return; }
      window.location.href = data.page;
    };
  }

  function poll(jobId) {
    const tick = async () => {
      const response = await fetch(`/api/jobs/${jobId}`);
      if (!response.ok) return;
      const job = await response.json();
      document.getElementById("stage").textContent = t(job.stage);  // stages: web/language.py JOB_STAGES
      document.getElementById("progress").value = job.progress;
      if (job.status === "done" || job.status === "failed") { window.location.reload(); return; }
      setTimeout(tick, 250);
    };
    setTimeout(tick, 150);
  }

  // Whiskers for confidence intervals: datasets may carry `low` and `high` arrays.
  const whiskers = {
    id: "whiskers",
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      chart.data.datasets.forEach((dataset, i) => {
        if (!dataset.low) return;
        const meta = chart.getDatasetMeta(i);
        const scale = chart.scales.y;
        ctx.save(); ctx.strokeStyle = "#222"; ctx.lineWidth = 1.2;
        meta.data.forEach((bar, j) => {
          if (dataset.low[j] == null || dataset.high[j] == null) return;
          const top = scale.getPixelForValue(dataset.high[j]), bottom = scale.getPixelForValue(dataset.low[j]);
          ctx.beginPath(); ctx.moveTo(bar.x, top); ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - 4, top); ctx.lineTo(bar.x + 4, top); ctx.moveTo(bar.x - 4, bottom); ctx.lineTo(bar.x + 4, bottom);
          ctx.stroke();
        });
        ctx.restore();
      });
    },
  };

  function bar(id, labels, datasets, yTitle) {
    const canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return null;
    return new Chart(canvas, {
      type: "bar", data: {labels, datasets}, plugins: [whiskers],
      options: {animation: false, responsive: true, maintainAspectRatio: false, plugins: {legend: {display: datasets.length > 1}},
                scales: {y: {title: {display: true, text: yTitle}}}},
    });
  }

  function drawResults() {
    const data = JSON.parse(document.getElementById("chart-data").textContent);
    bar("chart-deciles", data.deciles.labels,
        [{label: t("gain, % of welfare"), data: data.deciles.values, low: data.deciles.low, high: data.deciles.high, backgroundColor: "#2a7ab0"}], "%");
    bar("chart-cost", data.cost.labels,
        [{label: t("current law"), data: data.cost.baseline, backgroundColor: "#9aa5b1"},
         {label: t("reform"), data: data.cost.reform, backgroundColor: "#e07b39"}], t("million a year"));
    bar("chart-groups", data.groups.labels,
        [{label: t("change in headcount, points"), data: data.groups.values, low: data.groups.low, high: data.groups.high, backgroundColor: "#4c9a5b"}], t("points"));
    document.body.dataset.charts = "drawn";
  }

  function drawVariants() {
    const data = JSON.parse(document.getElementById("variant-data").textContent);
    bar("chart-variant-cost", data.labels, [{label: t("additional cost"), data: data.cost, backgroundColor: "#e07b39"}], t("million a year"));
    bar("chart-variant-poverty", data.labels, [{label: t("poverty change"), data: data.poverty, backgroundColor: "#4c9a5b"}], t("points"));
  }

  function saveVariant(jobId) {
    const form = document.getElementById("save-variant");
    if (!form) return;
    form.addEventListener("submit", async event => {
      event.preventDefault();
      const name = document.getElementById("variant-name").value.trim();
      const response = await fetch("/api/variants", {method: "POST", headers: {"Content-Type": "application/json"},
                                                     body: JSON.stringify({name, job_id: jobId})});
      const data = await response.json();
      document.getElementById("saved").innerHTML = response.ok
        ? `${t("saved")} — <a href="/variants">${t("compare variants")}</a>` : message(data.detail);
    });
  }

  // Household calculator: send the reform being composed (parameter changes only) when the box is ticked.
  function householdReform() {
    const box = document.getElementById("with-reform"), field = document.getElementById("household-reform");
    if (!box || !field) return;
    const draft = load();
    document.getElementById("reform-summary").textContent = draft.changes.length
      ? `(${draft.changes.map(c => `${c.parameter} = ${c.value}`).join("; ")})` : t("(none composed yet)");
    document.getElementById("household-form").addEventListener("submit", () => {
      field.value = box.checked && draft.changes.length ? JSON.stringify(draft.changes) : "";
    });
  }

  return {composer, poll, drawResults, drawVariants, saveVariant, householdReform};
})();
