// How a repository's own imports resolve beyond "./" paths: tsconfig/jsconfig `baseUrl` and `paths`
// (`@ui/Button`, `components/Header`), read from the config files at the commit, so strings in imported
// components get the pages that import them. A config's relative `extends` is followed; package configs
// (`@tsconfig/next`) are not.
import path from "node:path/posix";
import ts from "typescript";

/** tsconfig.json, jsconfig.json and variants such as tsconfig.app.json, outside dependencies. */
export function isImportConfigFile(file: string): boolean {
  return /(^|\/)(tsconfig|jsconfig)(\.[\w-]+)?\.json$/.test(file) && !file.split("/").includes("node_modules");
}

type CompilerPaths = { baseUrl?: string; paths?: Record<string, string[]> };
/** What a config says after its extends, with repository paths: `pathsBase` is the folder of the config whose paths these are. */
type ResolvedPaths = { baseUrl?: string; paths?: Record<string, string[]>; pathsBase?: string };
type AliasConfig = { dir: string; root: string; paths: [string, string[]][]; hasBaseUrl: boolean };

export type ImportAliases = {
  /** Repository paths an import specifier may point to (without extension), nearest config first. */
  candidates(fromFile: string, specifier: string): string[];
};

export function readImportAliases(configs: { path: string; content: string }[]): ImportAliases {
  const byPath = new Map(configs.map((config) => [config.path, config.content]));
  const options = (file: string, seen: Set<string>): ResolvedPaths => {
    if (seen.has(file)) return {};
    seen.add(file);
    const content = byPath.get(file);
    if (content === undefined) return {};
    const parsed = ts.parseConfigFileTextToJson(file, content).config as { extends?: unknown; compilerOptions?: CompilerPaths } | undefined;
    const base =
      typeof parsed?.extends === "string" && parsed.extends.startsWith(".") ? options(withJson(path.join(path.dirname(file), parsed.extends)), seen) : {};
    const own = parsed?.compilerOptions ?? {};
    // Relative paths in a config are relative to that config's folder.
    const rebase = (value: string) => path.join(path.dirname(file), value);
    return {
      ...base,
      ...(typeof own.baseUrl === "string" ? { baseUrl: rebase(own.baseUrl) } : {}),
      ...(own.paths && typeof own.paths === "object" ? { paths: own.paths, pathsBase: path.dirname(file) } : {}),
    };
  };
  const priority = (file: string) => (/(^|\/)tsconfig\.json$/.test(file) ? 0 : /(^|\/)jsconfig\.json$/.test(file) ? 1 : 2);
  const aliases: AliasConfig[] = [...configs]
    .sort((a, b) => priority(a.path) - priority(b.path))
    .map((config) => {
      const read = options(config.path, new Set());
      const dir = path.dirname(config.path);
      const root = read.baseUrl ?? read.pathsBase ?? dir;
      return { dir: dir === "." ? "" : dir, root: root === "." ? "" : root, paths: Object.entries(read.paths ?? {}), hasBaseUrl: read.baseUrl !== undefined };
    })
    .filter((alias) => alias.paths.length > 0 || alias.hasBaseUrl)
    // Deepest folder first: a file uses the nearest configs above it; in one folder tsconfig.json, then
    // jsconfig.json, then variants such as tsconfig.app.json (the order sort() keeps for equal folders).
    .sort((a, b) => b.dir.length - a.dir.length);

  return {
    candidates(fromFile, specifier) {
      const nearest = aliases.find((alias) => alias.dir === "" || fromFile.startsWith(`${alias.dir}/`));
      if (!nearest) return [];
      return aliases.filter((alias) => alias.dir === nearest.dir).flatMap((config) => candidatesOf(config, specifier));
    },
  };
}

function candidatesOf(config: AliasConfig, specifier: string): string[] {
  const found: string[] = [];
  for (const [pattern, targets] of config.paths) {
    const wildcard = matchPattern(pattern, specifier);
    if (wildcard === undefined) continue;
    for (const target of targets) found.push(path.join(config.root, target.replace("*", wildcard)));
  }
  if (config.hasBaseUrl) found.push(path.join(config.root, specifier));
  return found.map((candidate) => candidate.replace(/^\.\//, ""));
}

/** What `*` stands for when `specifier` matches `pattern` ("" for a pattern without one); undefined if no match. */
function matchPattern(pattern: string, specifier: string): string | undefined {
  const star = pattern.indexOf("*");
  if (star < 0) return specifier === pattern ? "" : undefined;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  if (!specifier.startsWith(prefix) || !specifier.endsWith(suffix) || specifier.length < prefix.length + suffix.length) return undefined;
  return specifier.slice(prefix.length, specifier.length - suffix.length);
}

function withJson(file: string): string {
  return file.endsWith(".json") ? file : `${file}.json`;
}
