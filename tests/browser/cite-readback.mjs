// Reads reference files back with an independent parser (citation-js) and prints what it
// found, so the Rust tests can compare it with what the kennisbank wrote:
//   node cite-readback.mjs FILE...   (format by extension: .bib, .ris, .json)
// Output: one JSON object, file → [{ title, authors: [{ given, particle, family, literal }], year, doi }].
import { readFileSync } from "node:fs";
import { Cite, plugins } from "@citation-js/core";
import "@citation-js/plugin-bibtex";
import "@citation-js/plugin-ris";
import "@citation-js/plugin-csl";

const formats = { bib: "@bibtex/text", ris: "@ris/file", json: "@csl/list+object" };
const out = {};
for (const file of process.argv.slice(2)) {
  const extension = file.split(".").pop();
  let input = readFileSync(file, "utf8");
  if (extension === "json") input = JSON.parse(input);
  const items = plugins.input.chain(input, { forceType: formats[extension], generateGraph: false });
  out[file] = items.map((item) => ({
    title: item.title ?? null,
    authors: (item.author ?? []).map((a) => ({
      given: a.given ?? null,
      particle: a["non-dropping-particle"] ?? a["dropping-particle"] ?? null,
      family: a.family ?? null,
      literal: a.literal ?? null,
    })),
    year: item.issued?.["date-parts"]?.[0]?.[0] != null ? Number(item.issued["date-parts"][0][0]) : null,
    doi: item.DOI ?? null,
  }));
}
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
