/** "2.3% of pixels": enough precision to tell a one-word change from nothing. */
export function formatRatio(ratio: number): string {
  const percent = ratio * 100;
  return `${percent >= 10 ? percent.toFixed(0) : percent >= 0.1 ? percent.toFixed(1) : percent.toFixed(2)}% of pixels`;
}
