// What a review reports and how it is shown: the finding a review agent gives (report_finding), its DTO,
// and the state of posting the findings to a pull request.
import { z } from "zod";
import type { Prisma } from "@/lib/db";

export const SEVERITIES = ["P0", "P1", "P2", "P3"] as const;

export const findingSchema = z
  .strictObject({
    severity: z.enum(SEVERITIES).describe("P0: must fix before merging (bug, data loss, security); P1: should fix; P2: worth fixing; P3: nit."),
    path: z.string().min(1).max(1000).describe("The file, relative to the repository root."),
    start_line: z.number().int().min(1).describe("First line of the problem, as numbered in the changed file."),
    end_line: z.number().int().min(1).describe("Last line (the same as start_line for one line)."),
    title: z.string().min(1).max(200).describe("The problem in one line."),
    explanation: z.string().min(1).max(4000).describe("Why it is a problem and what to do, briefly."),
    suggestion: z.string().max(8000).optional().describe("Optional: replacement text for lines start_line..end_line, exactly as it should read."),
  })
  .refine((finding) => finding.end_line >= finding.start_line, "end_line must not be before start_line.");
export type FindingInput = z.infer<typeof findingSchema>;

export type FindingDto = {
  id: string;
  severity: (typeof SEVERITIES)[number];
  path: string;
  startLine: number;
  endLine: number;
  title: string;
  body: string;
  suggestion: string | null;
};

export type ReviewPostDto = { status: "queued" | "posted" | "failed"; url?: string; error?: string; comments?: number };

export const findingSelect = {
  id: true,
  severity: true,
  path: true,
  startLine: true,
  endLine: true,
  title: true,
  body: true,
  suggestion: true,
} satisfies Prisma.ReviewFindingSelect;

export function toFindingDto(row: Prisma.ReviewFindingGetPayload<{ select: typeof findingSelect }>): FindingDto {
  const severity = (SEVERITIES as readonly string[]).includes(row.severity) ? (row.severity as FindingDto["severity"]) : "P3";
  return { ...row, severity };
}

export function parseReviewPost(value: unknown): ReviewPostDto | null {
  const parsed = z
    .object({ status: z.enum(["queued", "posted", "failed"]), url: z.string().optional(), error: z.string().optional(), comments: z.number().optional() })
    .safeParse(value);
  return parsed.success ? parsed.data : null;
}
