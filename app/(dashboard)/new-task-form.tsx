"use client";

import { useActionState, useState } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { createTaskAction, type FormState } from "./actions";
import { FormFooter } from "@/components/form-footer";

type EnvironmentOption = { id: string; name: string; defaultBranch: string };

export function NewTaskForm({ environments }: { environments: EnvironmentOption[] }) {
  const [state, action, pending] = useActionState<FormState, FormData>(createTaskAction, {});
  const [environmentId, setEnvironmentId] = useState(environments[0]?.id ?? "");
  // Controlled fields: React resets uncontrolled ones after an action, and a rejected prompt must survive.
  const [branch, setBranch] = useState("");
  const [mode, setMode] = useState<"code" | "ask">("code");
  const [effort, setEffort] = useState("");
  const [attempts, setAttempts] = useState("1");
  const [prompt, setPrompt] = useState("");
  const selected = environments.find((env) => env.id === environmentId);
  return (
    <form onSubmit={submitWithoutReset(action)}>
      <div className="row">
        <div>
          <label htmlFor="environmentId">Environment</label>
          <select id="environmentId" name="environmentId" value={environmentId} onChange={(event) => setEnvironmentId(event.target.value)}>
            {environments.map((env) => (
              <option key={env.id} value={env.id}>
                {env.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="mode">Mode</label>
          <select id="mode" name="mode" value={mode} onChange={(event) => setMode(event.target.value === "ask" ? "ask" : "code")}>
            <option value="code">Change the code</option>
            <option value="ask">Ask a question (read-only)</option>
          </select>
        </div>
        <div>
          <label htmlFor="attempts">Attempts</label>
          <select id="attempts" name="attempts" value={attempts} onChange={(event) => setAttempts(event.target.value)} disabled={mode === "ask"}>
            <option value="1">1</option>
            <option value="2">2 (pick the best)</option>
            <option value="3">3 (pick the best)</option>
            <option value="4">4 (pick the best)</option>
          </select>
        </div>
        <div>
          <label htmlFor="reasoningEffort">Reasoning effort</label>
          <select id="reasoningEffort" name="reasoningEffort" value={effort} onChange={(event) => setEffort(event.target.value)}>
            <option value="">Model default</option>
            <option value="minimal">Minimal</option>
            <option value="low">Low</option>
            <option value="medium">Medium</option>
            <option value="high">High</option>
          </select>
        </div>
        <div>
          <label htmlFor="branch">Branch</label>
          <input id="branch" name="branch" value={branch} onChange={(event) => setBranch(event.target.value)} placeholder={selected?.defaultBranch ?? "main"} />
        </div>
      </div>
      <label htmlFor="prompt">{mode === "ask" ? "What do you want to know?" : "What should change?"}</label>
      <textarea
        id="prompt"
        name="prompt"
        value={prompt}
        onChange={(event) => setPrompt(event.target.value)}
        placeholder="Fix the flaky date test in src/utils/date.test.ts"
      />
      <FormFooter error={state.error} pending={pending} label="Run task" pendingLabel="Submitting…" />
    </form>
  );
}
