// Which attempt of a turn stands for the task: the one the person selected, else the recommendation.
// The recommendation ranks completed attempts by the environment's check (passed, not run, failed),
// then prefers one that changed something, then the smaller change, then the earlier attempt.
export type RankableAttempt = {
  id: string;
  index: number;
  status: string;
  checkPassed: boolean | null;
  filesChanged: number;
  additions: number;
  deletions: number;
};

const CHECK_RANK = (passed: boolean | null) => (passed === true ? 0 : passed === null ? 1 : 2);

export function recommendAttempt<T extends RankableAttempt>(attempts: readonly T[]): T | null {
  const completed = attempts.filter((attempt) => attempt.status === "completed");
  const ranked = [...completed].sort(
    (a, b) =>
      CHECK_RANK(a.checkPassed) - CHECK_RANK(b.checkPassed) ||
      Number(a.filesChanged === 0) - Number(b.filesChanged === 0) ||
      a.additions + a.deletions - (b.additions + b.deletions) ||
      a.index - b.index,
  );
  return ranked[0] ?? null;
}

export function chooseAttempt<T extends RankableAttempt>(attempts: readonly T[], selectedAttemptId: string | null): T | null {
  const selected = selectedAttemptId ? attempts.find((attempt) => attempt.id === selectedAttemptId) : undefined;
  return selected ?? recommendAttempt(attempts) ?? [...attempts].sort((a, b) => a.index - b.index)[0] ?? null;
}
