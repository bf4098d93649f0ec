// PHQ-9, GAD-7 and PCL-5, one item per screen; the score and band at the end.
// PHQ-9 item 9 above 0 shows the crisis resources at once, before anything is sent.
import { request } from "../api.js";
import { crisisHtml, nowWithOffset } from "../logic.js";
import { enqueue } from "../outbox.js";
import { recall, remember } from "../store.js";

async function instruments() {
  try {
    const answer = await request("GET", "/api/v1/instruments");
    if (answer.status === 200) {
      await remember("instruments", answer.body.items);
      return answer.body.items;
    }
  } catch {
    // offline: the copy from last time
  }
  return (await recall("instruments")) || [];
}

function band(instrument, total) {
  return instrument.bands.find((b) => b.min <= total && total <= b.max);
}

export async function mountQuestionnaires(root) {
  const list = await instruments();
  if (!list.length) {
    root.innerHTML = '<h2>Questionnaires</h2><p class="message error">Connect once to load the questionnaires.</p>';
    return;
  }
  const choose = () => {
    root.innerHTML = `<h2>Questionnaires</h2>
      <p class="muted">Answer about the time each one asks about. It takes a few minutes.</p>
      <div class="actions">${list.map((i) =>
        `<button type="button" class="secondary wide" data-code="${i.code}">${i.name}</button>`).join("")}</div>`;
    root.querySelectorAll("[data-code]").forEach((button) =>
      button.addEventListener("click", () => run(list.find((i) => i.code === button.dataset.code))));
  };

  const run = (instrument) => {
    const answers = [];
    let index = 0;
    const show = () => {
      const item = instrument.items[index];
      const crisis = instrument.crisis_text && answers[8] > 0
        ? `<p class="message error" role="alert">${crisisHtml(instrument.crisis_text)}</p>` : "";
      root.innerHTML = `
        <h2>${instrument.name}</h2>
        <p class="muted">${instrument.stem}</p>
        <form id="item-form" novalidate>
          <fieldset>
            <legend>${item.number} of ${instrument.items.length}. ${item.text}</legend>
            <div class="checks one">${instrument.options.map((o) => `
              <label><input type="radio" name="answer" value="${o.value}" ${answers[index] === o.value ? "checked" : ""}>
              ${o.label}</label>`).join("")}</div>
          </fieldset>
          ${crisis}
          <div class="actions">
            <button type="button" class="secondary" id="back" ${index === 0 ? "disabled" : ""}>Back</button>
            <button type="submit">${index === instrument.items.length - 1 ? "Finish" : "Next"}</button>
          </div>
        </form>`;
      root.querySelector("#back").addEventListener("click", () => { index -= 1; show(); });
      root.querySelector("#item-form").addEventListener("change", (event) => {
        answers[index] = Number(event.target.value);
        if (instrument.code === "phq9" && index === 8) show(); // crisis resources at once
      });
      root.querySelector("#item-form").addEventListener("submit", (event) => {
        event.preventDefault();
        if (answers[index] === undefined) return;
        if (index < instrument.items.length - 1) {
          index += 1;
          show();
        } else {
          finish(instrument, answers);
        }
      });
      root.querySelector("input[type=radio]").focus();
    };
    show();
  };

  const finish = async (instrument, answers) => {
    const total = answers.reduce((a, b) => a + b, 0);
    const id = crypto.randomUUID();
    await enqueue(`/api/v1/assessments/${id}`,
      { instrument: instrument.code, completed_at: nowWithOffset(), answers }, instrument.name);
    const found = band(instrument, total);
    const crisis = instrument.crisis_text && answers[8] > 0
      ? `<p class="message error" role="alert">${crisisHtml(instrument.crisis_text)}</p>` : "";
    root.innerHTML = `
      <h2>${instrument.name}: your score</h2>
      <p class="score"><strong id="score-total">${total}</strong> of ${instrument.max_total},
        band <strong id="score-band">${found ? found.label : ""}</strong>.</p>
      <p class="muted">A score and a band are measurements, not a diagnosis. Source: ${instrument.source}.</p>
      ${crisis}
      <button type="button" id="again" class="secondary">Another questionnaire</button>`;
    root.querySelector("#again").addEventListener("click", choose);
  };

  choose();
}
