// Reading forms in server actions, the same way everywhere.
import { isAppError } from "@/lib/errors";

/** A form field as text; a missing field (or a file) is "". */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/**
 * What a form shows when its action failed: the AppError's message (lib/ turns bad input into AppErrors).
 * Anything else is a real fault and is thrown on, to the error page.
 */
export function actionErrorMessage(error: unknown): string {
  if (isAppError(error)) return error.userMessage;
  throw error;
}
