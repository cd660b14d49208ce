"use client";

import { useActionState, useState } from "react";
import { createEnvironmentAction, type FormState } from "../actions";
import { FormFooter } from "@/components/form-footer";

const fields = ["name", "repoUrl", "defaultBranch", "instructions", "model"] as const;
type Field = (typeof fields)[number];

export function EnvironmentForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(createEnvironmentAction, {});
  // Controlled so a rejected submission keeps everything that was typed.
  const [values, setValues] = useState<Record<Field, string>>({ name: "", repoUrl: "", defaultBranch: "main", instructions: "", model: "" });
  const bind = (field: Field) => ({
    id: field,
    name: field,
    value: values[field],
    onChange: (event: { target: { value: string } }) => setValues((previous) => ({ ...previous, [field]: event.target.value })),
  });
  return (
    <form action={action}>
      <div className="row">
        <div>
          <label htmlFor="name">Name</label>
          <input {...bind("name")} placeholder="web app" />
        </div>
        <div>
          <label htmlFor="defaultBranch">Default branch</label>
          <input {...bind("defaultBranch")} />
        </div>
      </div>
      <label htmlFor="repoUrl">Repository URL</label>
      <input {...bind("repoUrl")} placeholder="https://github.com/acme/web.git or git@github.com:acme/web.git" />
      <label htmlFor="instructions">Instructions for the agent (optional, like AGENTS.md)</label>
      <textarea {...bind("instructions")} placeholder="Run npm test before finishing. Use TypeScript strict mode." />
      <label htmlFor="model">Model (optional; defaults to PATCHBAY_MODEL)</label>
      <input {...bind("model")} />
      <FormFooter error={state.error} pending={pending} label="Create environment" />
    </form>
  );
}
