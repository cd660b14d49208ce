import { describe, expect, it } from "vitest";
import { previewConfigSchema } from "@/lib/environments/preview-config";
import { previewFromForm } from "./preview-form-data";

function form(fields: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

const base: [string, string][] = [
  ["previewStartCommand", "npm run dev"],
  ["previewPort", "5173"],
  ["previewRoutes", "/\n/pricing"],
];

describe("previewFromForm", () => {
  it("has no preview without a start command", () => {
    expect(previewFromForm(form([["previewPort", "3000"]]))).toBeUndefined();
  });

  it("keeps an app running for copy changes only when the box says the app shows edits live", () => {
    const off = previewConfigSchema.parse(previewFromForm(form(base)));
    expect(off.servesEditsLive).toBe(false);
    const on = previewConfigSchema.parse(previewFromForm(form([...base, ["previewServesEditsLive", "on"]])));
    expect(on).toMatchObject({ servesEditsLive: true, startCommand: "npm run dev", port: 5173, routes: { mode: "fixed", paths: ["/", "/pricing"] } });
  });

  it("refuses a port that is not a port", () => {
    expect(() =>
      previewFromForm(
        form([
          ["previewStartCommand", "npm start"],
          ["previewPort", "80a"],
        ]),
      ),
    ).toThrow("Preview port must be a number");
  });
});
