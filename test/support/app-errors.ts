// Reading the errors a test expects.
import { expect } from "vitest";
import { AppError } from "@/lib/errors";

/** The AppError a promise rejects with (fails the test if it resolves or rejects with anything else). */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Every string an error carries: its message, and its causes' messages and stderr (to look for leaks). */
export function allText(error: unknown): string {
  const parts: string[] = [];
  for (let current = error as { message?: string; stderr?: string; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    parts.push(String(current.message ?? ""), String(current.stderr ?? ""), String((current as { userMessage?: string }).userMessage ?? ""));
  }
  return parts.join("\n");
}
