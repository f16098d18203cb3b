// Offline API docs: renders /openapi.json (the stock Swagger UI would load from a CDN).
import { $, el } from "./common.js";

function schemaText(spec, schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.anyOf) return schema.anyOf.map((s) => schemaText(spec, s)).join(" | ");
  if (schema.type === "array") return `${schemaText(spec, schema.items)}[]`;
  return schema.type || "object";
}

async function main() {
  const spec = await (await fetch("/openapi.json")).json();
  $("api-desc").textContent = spec.info.description || "";
  const cards = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => el("li", {}, el("code", { text: p.name }),
        ` (${p.in}${p.required ? ", required" : ""}): ${schemaText(spec, p.schema)}`));
      const body = op.requestBody ? Object.entries(op.requestBody.content).map(([type, c]) =>
        el("li", {}, `body ${type}: `, el("code", { text: schemaText(spec, c.schema) }))) : [];
      const responses = Object.entries(op.responses || {}).map(([code, r]) =>
        el("li", {}, el("code", { text: code }), ` ${r.description || ""}`));
      cards.push(el("div", { class: "card" },
        el("h3", {}, el("code", { text: `${method.toUpperCase()} ${path}` })),
        el("p", { text: op.summary || "" }), el("p", { class: "muted", text: op.description || "" }),
        el("ul", {}, ...params, ...body), el("ul", {}, ...responses)));
    }
  }
  $("endpoints").replaceChildren(...cards);
}

main();
