// For writers: the five change events (异动) as forms; each answer (the changeset written) or
// refusal (every field's error, or the API's) is shown under its form.
import { ApiError, gql } from "../api";
import { h } from "../dom";
import { t } from "../i18n";
import { session } from "../state";

interface FieldSpec {
  name: string;
  label: string;
  type?: "text" | "number" | "date";
  optional?: boolean;
}

const EVENTS: Record<string, { input: string; fields: FieldSpec[]; result: string }> = {
  meterMove: {
    input: "MeterMoveInput",
    fields: [
      { name: "meter", label: "meter" },
      { name: "toArea", label: "toArea" },
    ],
    result: "MeterMoved",
  },
  meterReplace: {
    input: "MeterReplaceInput",
    fields: [
      { name: "oldMeter", label: "oldMeter" },
      { name: "newMeter", label: "newMeter" },
      { name: "finalRegisterKwh", label: "finalRegister", type: "number" },
      { name: "initialRegisterKwh", label: "initialRegister", type: "number" },
      { name: "multiplier", label: "multiplier", type: "number", optional: true },
    ],
    result: "MeterReplaced",
  },
  transformerReplace: {
    input: "TransformerReplaceInput",
    fields: [
      { name: "transformer", label: "area" },
      { name: "capacityKva", label: "capacity", type: "number" },
    ],
    result: "TransformerReplaced",
  },
  areaMove: {
    input: "AreaMoveInput",
    fields: [
      { name: "area", label: "area" },
      { name: "toFeeder", label: "toFeeder" },
    ],
    result: "AreaMoved",
  },
  areaRetire: {
    input: "AreaRetireInput",
    fields: [{ name: "area", label: "area" }],
    result: "AreaRetired",
  },
};

interface Answer {
  __typename: string;
  changeset?: { id: string; actor: string; createdAt: string; effective: string | null; details: { name: string; value: string }[] };
  errors?: { field: string | null; message: string }[];
}

function eventForm(event: string): HTMLElement {
  const spec = EVENTS[event];
  const id = (name: string) => `${event}-${name}`;
  const fields = [...spec.fields, { name: "effective", label: "effective", type: "date", optional: true } as FieldSpec];
  const answer = h("div", { class: "answer", role: "status", "data-testid": `${event}-answer` });
  const form = h(
    "form",
    { class: "event", "data-event": event, "aria-labelledby": id("title") },
    h("h2", { id: id("title") }, `${t(event)} (${event})`),
    fields.flatMap((f) => [
      h("label", { for: id(f.name) }, t(f.label)),
      h("input", {
        id: id(f.name),
        name: f.name,
        type: f.type ?? "text",
        step: f.type === "number" ? "any" : null,
        required: !f.optional,
        // Empty: the server's today in the utility's time zone (TAIQU_TIMEZONE), which the
        // browser's clock may not share; a date before it is recorded as a correction.
        title: f.name === "effective" ? t("effectiveHint") : null,
      }),
    ]),
    h("button", { type: "submit" }, t("submit")),
    answer,
  );
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const input: Record<string, string | number> = {};
    for (const f of fields) {
      const value = String(data.get(f.name) ?? "").trim();
      if (value === "") continue;
      input[f.name] = f.type === "number" ? Number(value) : value;
    }
    answer.replaceChildren(t("loading"));
    try {
      const found = await gql<{ answer: Answer }>(
        `mutation($input: ${spec.input}!) { answer: ${event}(input: $input) {
          __typename
          ... on ChangeWritten { changeset { id actor createdAt effective details { name value } } }
          ... on ChangeRejected { errors { field message } } } }`,
        { input },
      );
      showAnswer(answer, found.answer);
    } catch (error) {
      const text = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
      answer.replaceChildren(h("p", { class: "refused", "data-outcome": "refused" }, `${t("refused")} · ${text}`));
    }
  });
  return form;
}

function showAnswer(el: HTMLElement, answer: Answer): void {
  if (answer.__typename === "ChangeRejected") {
    el.replaceChildren(
      h("p", { class: "refused", "data-outcome": "refused" }, t("refused")),
      h("ul", {}, (answer.errors ?? []).map((e) => h("li", {}, `${e.field ?? ""}: ${e.message}`))),
    );
    return;
  }
  const cs = answer.changeset!;
  el.replaceChildren(
    h("p", { class: "written", "data-outcome": "written" }, `${t("written")} · ${t("changeset")} ${cs.id} · ${cs.actor} · ${cs.effective ?? ""}`),
    h("ul", {}, cs.details.map((d) => h("li", {}, `${d.name}: ${d.value}`))),
  );
}

export async function renderChanges(main: HTMLElement): Promise<void> {
  const events = session.viewer?.changeEvents ?? [];
  main.append(h("h1", {}, t("changes")));
  if (events.length === 0) {
    main.append(h("p", { class: "hint", "data-testid": "not-writer" }, t("notWriter")));
    return;
  }
  for (const event of Object.keys(EVENTS)) {
    if (events.includes(event)) main.append(eventForm(event));
  }
}
