// Shared by the benchmark scripts: summary statistics and the run's git revision.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export type Stats = { n: number; ok: number; min: number; p50: number; p90: number; max: number };

const round1 = (value: number) => Math.round(value * 10) / 10;
export const round2 = (value: number) => Math.round(value * 100) / 100;

/** Nearest-rank median (the p50 of stats(), unrounded). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.5 * sorted.length) - 1))] ?? Number.NaN;
}

/** Samples of one scenario, and how many iterations were tried (a failed one adds no sample). */
export function sampleCollector() {
  const samples: number[] = [];
  let attempts = 0;
  return {
    samples,
    get attempts() {
      return attempts;
    },
    add(sample: number | undefined) {
      attempts += 1;
      if (sample !== undefined) samples.push(sample);
    },
  };
}

/** Nearest-rank percentiles; with n ≤ 20 a p99 would just be the max, so it is not reported. */
export function stats(samples: number[], attempts: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return {
    n: attempts,
    ok: samples.length,
    min: round1(sorted[0] ?? Number.NaN),
    p50: round1(at(0.5)),
    p90: round1(at(0.9)),
    max: round1(sorted.at(-1) ?? Number.NaN),
  };
}

/** Nearest-rank percentile (q in 0..1), unrounded; for a target stated at a percentile stats() does not report. */
export function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function gitSha(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function gitDirty(): boolean | null {
  try {
    return execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim().length > 0;
  } catch {
    return null;
  }
}

type DockerLike = {
  listContainers(options: { all: boolean; filters: { label: string[] } }): Promise<unknown[]>;
  listVolumes(options: { filters: { label: string[] } }): Promise<{ Volumes?: unknown[] | null }>;
  listNetworks(options: { filters: { label: string[] } }): Promise<unknown[]>;
};

/** What a run left on the Docker host under its labels: every count should be 0. */
export async function countLeaks(docker: DockerLike, filter: { label: string[] }): Promise<{ containers: number; volumes: number; networks: number }> {
  return {
    containers: (await docker.listContainers({ all: true, filters: filter })).length,
    volumes: ((await docker.listVolumes({ filters: filter })).Volumes ?? []).length,
    networks: (await docker.listNetworks({ filters: filter })).length,
  };
}

/** The machine part of a run's fingerprint (docs/benchmarks.md §4). */
export function hostEnv(dockerVersion: { Version: string }, dockerInfo: { Driver: string; CgroupVersion?: string }) {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    kernel: os.release(),
    docker: dockerVersion.Version,
    storage: dockerInfo.Driver,
    cgroup: Number(dockerInfo.CgroupVersion ?? 0) || null,
    node: process.version,
  };
}

/** Writes a run's report to .data/bench/<name>-<time>.json, prints it on stdout and returns the file. */
export function writeBenchReport(name: string, startedAt: Date, report: unknown): string {
  const json = JSON.stringify(report, null, 2);
  const outDir = path.resolve(import.meta.dirname, "../../.data/bench");
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${name}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(outFile, `${json}\n`);
  console.log(json);
  return outFile;
}
