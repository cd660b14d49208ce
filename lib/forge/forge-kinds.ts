// The kinds of remote a task's branch can go to, and their names as people know them. Kept free of any
// server code so the environment page's form can use it.
export const FORGE_KINDS = ["github", "gitlab", "gitea", "git"] as const;
export type ForgeKind = (typeof FORGE_KINDS)[number];

export function forgeName(kind: ForgeKind): string {
  return { github: "GitHub", gitlab: "GitLab", gitea: "Gitea", git: "the git remote" }[kind];
}
