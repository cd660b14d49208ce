// One error type that carries intent: what went wrong (code), whether retrying can help, and a message
// that is safe and useful to show a person. Route handlers map codes to HTTP statuses; the worker maps
// non-retryable errors to BullMQ's UnrecoverableError and the attempt's `error` column.
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "gone"
  | "rate_limited"
  | "payload_too_large"
  | "repo_unreachable"
  | "branch_not_found"
  | "model_not_configured"
  | "model_error"
  | "secrets_unavailable"
  | "setup_failed"
  | "sandbox_error"
  | "timeout"
  | "cancelled"
  | "internal";

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly userMessage: string;
  /** Structured detail for API clients (e.g. one problem per copy edit); safe to show. */
  readonly details: unknown;

  constructor(code: ErrorCode, userMessage: string, options: { retryable?: boolean; cause?: unknown; details?: unknown } = {}) {
    super(userMessage, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.userMessage = userMessage;
    this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

const httpStatusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  rate_limited: 429,
  repo_unreachable: 422,
  branch_not_found: 422,
  model_not_configured: 503,
  model_error: 502,
  secrets_unavailable: 503,
  setup_failed: 422,
  sandbox_error: 500,
  timeout: 504,
  cancelled: 409,
  internal: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return httpStatusByCode[code];
}
