// B13: copy mode's own work on a synthetic repository (1,500 components, a locale file, a page importing a
// hundred of them), against floors measured in the same run (docs/benchmarks.md §1):
// - a full catalog build → floor: parsing every script once with the TypeScript parser;
// - the catalog of a commit that changed one component, with the worker's per-file cache → same floor;
// - one edit in a 3,000-row component (applyCopyEdits: locate, replace, re-check) → floor: parsing that
//   file before and after the edit.
// Pure CPU: no Docker, database or browser. A benchmark, not a test: it never asserts timings.
import os from "node:os";
import ts from "typescript";
import { applyCopyEdits } from "@/lib/copy/apply-edits";
import { buildCatalog, type FileFacts } from "@/lib/copy/catalog";
import { createCatalogFileCache } from "@/lib/copy/catalog-file-cache";
import { extractFile, type CopyFile } from "@/lib/copy/extract-strings";
import { gitDirty, gitSha, round2, stats, writeBenchReport } from "./bench-stats";

const COMPONENTS = 1_500;
const LARGE_ROWS = 3_000;
const WARMUP = 1;
const N = 5;
const EDIT_N = 9;
const NOISY_LOAD1 = 0.5;
const EDIT_TARGET_MS = 500;

function repository(): CopyFile[] {
  const files: CopyFile[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    const rows = Array.from({ length: 20 }, (_, j) => `      <li title="Item ${j} of card ${i}">Card ${i} says line ${j} with words</li>`).join("\n");
    files.push({
      path: `src/components/card-${i}.tsx`,
      content: `import { t } from "@/i18n";\nexport function Card${i}() {\n  return (\n    <ul aria-label={t("cards.label")}>\n${rows}\n    </ul>\n  );\n}\n`,
    });
  }
  const imports = Array.from({ length: 100 }, (_, i) => `import { Card${i} } from "@/components/card-${i}";`).join("\n");
  files.push({ path: "src/app/page.tsx", content: `${imports}\nexport default function Page() { return <main>Home</main>; }\n` });
  files.push({ path: "locales/en.json", content: JSON.stringify({ cards: { label: "Cards" } }, null, 2) });
  return files;
}

function largeComponent(): CopyFile {
  const rows = Array.from({ length: LARGE_ROWS }, (_, i) => `      <p title="Row title ${i}">Paragraph number ${i} says something <b>bold</b> here.</p>`);
  return { path: "src/Big.tsx", content: ["export function Big() {", "  return (", "    <div>", ...rows, "    </div>", "  );", "}"].join("\n") };
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

function parseAll(files: CopyFile[]): void {
  for (const file of files) if (file.path.endsWith(".tsx")) ts.createSourceFile(file.path, file.content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
}

function main(): void {
  const startedAt = new Date();
  const load1Start = os.loadavg()[0] ?? 0;
  const files = repository();
  const floorBuild: number[] = [];
  const full: number[] = [];
  const incremental: number[] = [];
  const cache = createCatalogFileCache<FileFacts>();
  buildCatalog(files, cache);
  for (let round = 0; round < WARMUP + N; round++) {
    // Fresh file objects each round: nothing parsed in an earlier round is reused by accident.
    const fresh = files.map((file) => ({ ...file }));
    const changed = fresh.map((file, index) => (index === round ? { ...file, content: file.content.replace("says", `says (${round})`) } : file));
    const samples = [timed(() => parseAll(fresh.map((file) => ({ ...file })))), timed(() => buildCatalog(fresh)), timed(() => buildCatalog(changed, cache))];
    if (round < WARMUP) continue;
    floorBuild.push(samples[0] ?? Number.NaN);
    full.push(samples[1] ?? Number.NaN);
    incremental.push(samples[2] ?? Number.NaN);
  }

  const big = largeComponent();
  const target = extractFile(big)?.[Math.floor(LARGE_ROWS / 2)];
  if (!target) throw new Error("the large component has no strings");
  const floorEdit: number[] = [];
  const edit: number[] = [];
  for (let round = 0; round < WARMUP + EDIT_N; round++) {
    const file = { ...big };
    const after = big.content.replace(target.text, "Changed words");
    const pair = [
      timed(() => {
        ts.createSourceFile(file.path, file.content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
        ts.createSourceFile(file.path, after, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
      }),
      timed(() => applyCopyEdits([{ ...big }], [{ id: target.id, text: "Changed words" }])),
    ];
    if (round < WARMUP) continue;
    floorEdit.push(pair[0] ?? Number.NaN);
    edit.push(pair[1] ?? Number.NaN);
  }

  const floorBuildStats = stats(floorBuild, N);
  const floorEditStats = stats(floorEdit, EDIT_N);
  const ratio = (p50: number, floor: number) => round2(p50 / floor);
  const fullStats = stats(full, N);
  const incrementalStats = stats(incremental, N);
  const editStats = stats(edit, EDIT_N);
  const load1End = os.loadavg()[0] ?? 0;
  const report = {
    run: {
      bench: "copy",
      gitSha: gitSha(),
      gitDirty: gitDirty(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      noisy: load1Start > NOISY_LOAD1 || load1End > NOISY_LOAD1,
      env: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        node: process.version,
        load1Start: round2(load1Start),
        load1End: round2(load1End),
      },
      config: { components: COMPONENTS, largeRows: LARGE_ROWS, largeBytes: big.content.length },
    },
    floors: { parseAll: floorBuildStats.p50, parseBeforeAfter: floorEditStats.p50 },
    results: [
      { id: "B13", variant: "floor-parse-all", unit: "ms", warmup: WARMUP, ...floorBuildStats, floor: "parseAll", ratio: 1 },
      { id: "B13", variant: "catalog-full", unit: "ms", warmup: WARMUP, ...fullStats, floor: "parseAll", ratio: ratio(fullStats.p50, floorBuildStats.p50) },
      {
        id: "B13",
        variant: "catalog-one-file-changed",
        unit: "ms",
        warmup: WARMUP,
        ...incrementalStats,
        floor: "parseAll",
        ratio: ratio(incrementalStats.p50, floorBuildStats.p50),
        note: "with the worker's per-file cache warm from the previous commit",
      },
      { id: "B13", variant: "floor-parse-before-after", unit: "ms", warmup: WARMUP, ...floorEditStats, floor: "parseBeforeAfter", ratio: 1 },
      {
        id: "B13",
        variant: "edit-large-component",
        unit: "ms",
        warmup: WARMUP,
        ...editStats,
        floor: "parseBeforeAfter",
        ratio: ratio(editStats.p50, floorEditStats.p50),
        target: `p50 <= ${EDIT_TARGET_MS} ms (absolute)`,
        meetsTarget: editStats.p50 <= EDIT_TARGET_MS,
      },
    ],
  };
  const outFile = writeBenchReport("copy", startedAt, report);
  console.error(`wrote ${outFile}`);
}

main();
