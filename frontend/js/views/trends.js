// Trends: daily means with the 7-day mean and session days, before/after each session,
// questionnaire scores and the flags. The chart library loads only here.
import { request } from "../api.js";
import { DEFAULT_SETTINGS, chartSpan, enoughForTrend, plural } from "../logic.js";
import { recall, remember } from "../store.js";

const MEASURES = [
  ["mood", "Mood (0 worst to 10 best)", [0, 10]],
  ["anxiety", "Anxiety (0 none to 10 worst)", [0, 10]],
  ["sleep_hours", "Sleep (hours)", [0, 12]],
  ["sleep_quality", "Sleep quality (0 to 10)", [0, 10]],
];
function flagNames(settings) {
  const { bp_alert: alert, bp_rise: rise, bp_before_session: predose } = settings;
  return {
    suicidal_ideation: "PHQ-9 item 9 answered above 0",
    bp_high: `Blood pressure at or above ${alert.systolic}/${alert.diastolic}`,
    bp_rise: `Blood pressure up ${rise.systolic}/${rise.diastolic} or more after a session`,
    bp_before_session: `Blood pressure above ${predose.systolic}/${predose.diastolic} before a session`,
    worsening: "A questionnaire score got reliably worse",
  };
}

function seconds(day) {
  return Date.parse(`${day}T12:00:00Z`) / 1000;
}

function stylesheet() {
  if (!document.querySelector("link[data-uplot]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("../../vendor/uplot-1.6.32/uPlot.min.css", import.meta.url).href;
    link.dataset.uplot = "";
    document.head.appendChild(link);
  }
}

function sessionMarkers(days) {
  // A uPlot plugin drawing a dashed line on each session day.
  return {
    hooks: {
      draw: (u) => {
        const { ctx } = u;
        ctx.save();
        ctx.strokeStyle = "#a1321f";
        ctx.setLineDash([4, 3]);
        for (const day of days) {
          const x = Math.round(u.valToPos(seconds(day), "x", true));
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

async function summary() {
  // Resolves to {data, syncedAt}: syncedAt is null when fresh from the server, else the time
  // of the copy this device kept.
  try {
    const answer = await request("GET", "/api/v1/summary");
    if (answer.status === 200 && answer.cachedAt) return { data: answer.body, syncedAt: answer.cachedAt };
    if (answer.status === 200) {
      await remember("summary", { data: answer.body, at: new Date().toISOString() });
      return { data: answer.body, syncedAt: null };
    }
  } catch {
    // offline: the last one
  }
  const kept = await recall("summary");
  return kept && kept.data ? { data: kept.data, syncedAt: kept.at } : { data: null, syncedAt: null };
}

export async function mountTrends(root) {
  root.innerHTML = "<h2>Trends</h2><p class='muted'>Loading…</p>";
  const [{ data, syncedAt }, { default: UPlot }, settings] = await Promise.all([
    summary(),
    import("../../vendor/uplot-1.6.32/uPlot.esm.js"),
    recall("clinical"),
  ]);
  const FLAGS = flagNames(settings || DEFAULT_SETTINGS);
  stylesheet();
  root.innerHTML = `<h2>Trends</h2>`;
  if (!data) {
    root.insertAdjacentHTML("beforeend", "<p class='message error'>Connect once to see your trends.</p>");
    return;
  }
  if (syncedAt) {
    const offline = document.createElement("p");
    offline.className = "message";
    offline.textContent = `You are offline: these trends are from the last sync, ${syncedAt.slice(0, 16).replace("T", " ")} UTC.`;
    root.appendChild(offline);
  }
  const period = document.createElement("p");
  period.className = "muted";
  period.textContent = `${data.period.from} to ${data.period.to}: ${plural(data.adherence.entries, "check-in")} on `
    + `${data.adherence.days_logged} of ${plural(data.adherence.days_in_period, "day")}.`;
  root.appendChild(period);

  const flags = document.createElement("section");
  flags.innerHTML = "<h3>Flags</h3>";
  const flagList = document.createElement("ul");
  for (const flag of data.flags) {
    const li = document.createElement("li");
    li.textContent = `${flag.at.slice(0, 10)}: ${FLAGS[flag.kind] || flag.kind}`;
    flagList.appendChild(li);
  }
  if (!data.flags.length) flagList.innerHTML = "<li>None in this period.</li>";
  flags.appendChild(flagList);
  root.appendChild(flags);

  const sessionDays = data.sessions.map((s) => s.started_at.slice(0, 10));
  const width = Math.min(root.getBoundingClientRect().width || 300, 540);
  if (sessionDays.length) {
    root.insertAdjacentHTML("beforeend", '<p class="legend muted"><span class="key daily"></span> daily mean '
      + '<span class="key rolling"></span> 7-day mean <span class="key session"></span> treatment session</p>');
  }
  for (const [name, label, range] of MEASURES) {
    const metric = data.metrics[name];
    if (!metric) {
      root.insertAdjacentHTML("beforeend", `<p class="muted">${label}: no answer in this period yet.</p>`);
      continue;
    }
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    // No slope from fewer than 7 days: a line through three points says nothing yet.
    const trend = enoughForTrend(metric)
      ? (metric.slope_per_week === null ? "" : `, ${metric.slope_per_week > 0 ? "+" : ""}${metric.slope_per_week} a week`)
      : `. Not enough data yet for a trend (7 days needed, ${plural(metric.daily.length, "day")} so far)`;
    caption.textContent = `${label}: mean ${metric.mean}, ${plural(metric.n, "answer")}${trend}`;
    const chart = document.createElement("div");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", `${label}, daily mean and 7-day mean. ${caption.textContent}`);
    figure.append(chart, caption);
    root.appendChild(figure);
    new UPlot(
      {
        width,
        height: 180,
        legend: { show: false },
        scales: { x: { time: true, range: () => chartSpan(metric.daily) }, y: { range } },
        series: [{}, { label: "daily mean", stroke: "#5b6473", width: 1, points: { show: metric.daily.length < 40, size: 6 } },
          { label: "7-day mean", stroke: "#2f5fb3", width: 2.5, points: { show: false } }],
        plugins: [sessionMarkers(sessionDays)],
      },
      [metric.daily.map((d) => seconds(d.date)), metric.daily.map((d) => d.mean), metric.daily.map((d) => d.rolling_7d)],
      chart,
    );
  }

  if (data.sessions.length) {
    const table = document.createElement("section");
    table.innerHTML = "<h3>Before and after each session</h3>";
    const list = document.createElement("ul");
    for (const s of data.sessions) {
      const li = document.createElement("li");
      const pre = s.pre.mood ?? "–";
      const post = s.post.mood ?? "–";
      const effects = Object.keys(s.side_effects || {}).map((k) => k.replaceAll("_", " ")).join(", ");
      li.textContent = `${s.started_at.slice(0, 10)}: mood ${pre} → ${post}`
        + (s.returned_to_baseline ? `, back to your usual after ${plural(s.durability_days, "day")}` : "")
        + (effects ? `; side effects: ${effects}` : "");
      list.appendChild(li);
    }
    table.appendChild(list);
    root.appendChild(table);
  }

  await scoresOverTime(root, UPlot, width);
  const scores = document.createElement("section");
  scores.innerHTML = "<h3>Questionnaire change in this period</h3>";
  const scoreList = document.createElement("ul");
  for (const [code, item] of Object.entries(data.instruments)) {
    const li = document.createElement("li");
    li.textContent = `${code.toUpperCase().replace("PHQ9", "PHQ-9").replace("GAD7", "GAD-7").replace("PCL5", "PCL-5")}: `
      + `${item.baseline.total} → ${item.latest.total} (${item.severity.replace("_", " ")}), change ${item.change}`;
    scoreList.appendChild(li);
  }
  if (!Object.keys(data.instruments).length) scoreList.innerHTML = "<li>No questionnaire in this period.</li>";
  scores.appendChild(scoreList);
  root.appendChild(scores);
}

async function scoresOverTime(root, UPlot, width) {
  let items = [];
  try {
    const answer = await request("GET", "/api/v1/assessments?limit=500");
    if (answer.status === 200) {
      items = answer.body.items;
      await remember("assessments", items);
    }
  } catch {
    items = (await recall("assessments")) || [];
  }
  const section = document.createElement("section");
  section.innerHTML = "<h3>Questionnaire scores over time</h3>";
  root.appendChild(section);
  for (const [code, name] of [["phq9", "PHQ-9"], ["gad7", "GAD-7"], ["pcl5", "PCL-5"]]) {
    const points = items.filter((a) => a.instrument === code).reverse();
    if (!points.length) continue;
    const chart = document.createElement("div");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", `${name} totals: ${points.map((a) => `${a.completed_at.slice(0, 10)} ${a.total}`).join(", ")}`);
    const caption = document.createElement("figcaption");
    caption.textContent = `${name}: latest ${points[points.length - 1].total} (${points[points.length - 1].severity.replace("_", " ")})`;
    const figure = document.createElement("figure");
    figure.append(chart, caption);
    section.appendChild(figure);
    new UPlot(
      {
        width, height: 150, legend: { show: false }, scales: { x: { time: true }, y: { range: [0, code === "pcl5" ? 80 : code === "phq9" ? 27 : 21] } },
        series: [{}, { label: name, stroke: "#2f5fb3", width: 2, points: { size: 6 } }],
      },
      [points.map((a) => Date.parse(a.completed_at) / 1000), points.map((a) => a.total)],
      chart,
    );
  }
  if (!items.length) section.insertAdjacentHTML("beforeend", "<p class='muted'>No questionnaire yet.</p>");
}
