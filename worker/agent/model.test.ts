import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { describeModelError } from "./model";

const BASE = "http://model.internal:8080/v1";
const headers = new Headers();

function appErrorFor(error: unknown): AppError {
  const described = describeModelError(error, BASE);
  expect(described).toBeInstanceOf(AppError);
  expect(described.code).toBe("model_error");
  return described;
}

describe("describeModelError", () => {
  it("401 and 403 point at OPENAI_API_KEY", () => {
    const unauthorized = appErrorFor(new OpenAI.AuthenticationError(401, { message: "bad key" }, "Incorrect API key", headers));
    expect(unauthorized.userMessage).toMatch(/HTTP 401/);
    expect(unauthorized.userMessage).toMatch(/OPENAI_API_KEY/);
    expect(appErrorFor(new OpenAI.PermissionDeniedError(403, undefined, "nope", headers)).userMessage).toMatch(/HTTP 403.*OPENAI_API_KEY/);
  });

  it("429 says the endpoint is rate limiting", () => {
    const message = appErrorFor(new OpenAI.RateLimitError(429, undefined, "slow down", headers)).userMessage;
    expect(message).toMatch(/rate limit/i);
    expect(message).toMatch(/429/);
  });

  it("5xx names the status and says to try later", () => {
    const message = appErrorFor(new OpenAI.InternalServerError(500, undefined, "boom", headers)).userMessage;
    expect(message).toMatch(/HTTP 500/);
    expect(message).toMatch(/try again later/i);
    expect(appErrorFor(new OpenAI.InternalServerError(503, undefined, "down", headers)).userMessage).toMatch(/HTTP 503/);
  });

  it("404 points at the model name and base URL", () => {
    const message = appErrorFor(new OpenAI.NotFoundError(404, undefined, "no such model", headers)).userMessage;
    expect(message).toMatch(/PATCHBAY_MODEL/);
    expect(message).toMatch(/OPENAI_BASE_URL/);
  });

  it("other 4xx include the status and the provider's message", () => {
    const message = appErrorFor(new OpenAI.BadRequestError(400, undefined, "input too long", headers)).userMessage;
    expect(message).toMatch(/HTTP 400/);
    expect(message).toContain("input too long");
  });

  it("a connection error names the base URL and OPENAI_BASE_URL", () => {
    const message = appErrorFor(new OpenAI.APIConnectionError({ message: "ECONNREFUSED" })).userMessage;
    expect(message).toContain(BASE);
    expect(message).toMatch(/OPENAI_BASE_URL/);
  });

  it("a timeout is told apart from a connection error", () => {
    const message = appErrorFor(new OpenAI.APIConnectionTimeoutError()).userMessage;
    expect(message).toContain(BASE);
    expect(message).toMatch(/did not answer in time/);
    expect(message).toMatch(/PATCHBAY_MODEL_TIMEOUT_SEC/);
  });

  it("keeps the original error as the cause", () => {
    const original = new OpenAI.RateLimitError(429, undefined, "slow down", headers);
    expect(appErrorFor(original).cause).toBe(original);
  });

  it("passes an AppError through unchanged", () => {
    const appError = new AppError("cancelled", "Cancelled.");
    expect(describeModelError(appError, BASE)).toBe(appError);
  });

  it("an unknown error becomes a readable model_error without a stack", () => {
    const message = appErrorFor(new TypeError("Cannot read properties of undefined")).userMessage;
    expect(message).toContain("Cannot read properties of undefined");
    expect(appErrorFor("weird").userMessage).toContain("weird");
  });

  it("truncates a huge provider message", () => {
    const message = appErrorFor(new OpenAI.BadRequestError(400, undefined, "x".repeat(10_000), headers)).userMessage;
    expect(message.length).toBeLessThan(500);
  });
});
