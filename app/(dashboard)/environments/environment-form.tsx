"use client";

import { useActionState, useState } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { useFieldValues } from "@/components/use-field-values";
import { FormFooter } from "@/components/form-footer";
import { createEnvironmentAction, type FormState } from "../actions";
import { emptySecretRow, SecretRows } from "./secret-rows";

const initial = {
  name: "",
  repoUrl: "",
  defaultBranch: "main",
  instructions: "",
  model: "",
  modelApi: "responses",
  checkCommand: "",
  copywriterPaths: "",
  previewInstallCommand: "",
  previewStartCommand: "",
  previewPort: "3000",
  previewReadinessPath: "/",
  previewRoutes: "/",
  previewViewports: "desktop 1280x800\nmobile 390x844",
  setupScript: "",
  nodeVersion: "20",
};
export function EnvironmentForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(createEnvironmentAction, {});
  // Controlled so a rejected submission keeps everything that was typed.
  const { bind } = useFieldValues(initial, "");
  const [detectRoutes, setDetectRoutes] = useState(false);
  const [servesEditsLive, setServesEditsLive] = useState(false);
  const [secretRows, setSecretRows] = useState([emptySecretRow]);
  return (
    <form onSubmit={submitWithoutReset(action)}>
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
      <div className="row">
        <div>
          <label htmlFor="model">Model (optional; defaults to PATCHBAY_MODEL)</label>
          <input {...bind("model")} />
        </div>
        <div>
          <label htmlFor="modelApi">Model API</label>
          <select {...bind("modelApi")}>
            <option value="responses">Responses API (OpenAI, most providers)</option>
            <option value="chat">Chat Completions (servers without the Responses API)</option>
          </select>
        </div>
      </div>
      <label htmlFor="checkCommand">Check command (optional, e.g. npm test): run after the agent; a pass ranks an attempt higher</label>
      <input {...bind("checkCommand")} placeholder="npm test" />
      <label htmlFor="copywriterPaths">Paths copywriters may change in Copy (one glob per line; empty = copywriters cannot use this environment)</label>
      <textarea {...bind("copywriterPaths")} rows={3} placeholder={"locales/**\ncontent/**/*.md"} />
      <details className="setup-section">
        <summary>Setup (real projects)</summary>
        <p className="muted">
          The setup script runs once after the checkout, with network access to package registries and with the secrets; its result is cached until the script
          or the lockfiles change. More settings (variables, network, maintenance script) are on the environment&apos;s page.
        </p>
        <label htmlFor="setupScript">Setup script</label>
        <textarea {...bind("setupScript")} className="mono" rows={4} placeholder="npm ci" spellCheck={false} />
        <label htmlFor="nodeVersion">Node.js version</label>
        <select {...bind("nodeVersion")}>
          <option value="20">20</option>
          <option value="22">22</option>
        </select>
        <SecretRows rows={secretRows} onChange={setSecretRows} />
      </details>
      <fieldset>
        <legend>Preview for screenshots (optional)</legend>
        <p className="muted">
          With a start command, every task that changes files comes back with before/after screenshots. The app runs in a sandbox with no internet access.
        </p>
        <label htmlFor="previewInstallCommand">Install/build command</label>
        <input {...bind("previewInstallCommand")} placeholder="npm ci --offline && npm run build" />
        <div className="row">
          <div>
            <label htmlFor="previewStartCommand">Start command</label>
            <input {...bind("previewStartCommand")} placeholder="npm start" />
          </div>
          <div>
            <label htmlFor="previewPort">Port</label>
            <input {...bind("previewPort")} inputMode="numeric" />
          </div>
          <div>
            <label htmlFor="previewReadinessPath">Readiness path</label>
            <input {...bind("previewReadinessPath")} />
          </div>
        </div>
        <label className="check">
          <input type="checkbox" name="previewServesEditsLive" checked={servesEditsLive} onChange={(event) => setServesEditsLive(event.target.checked)} />
          The app shows an edited file on the next page load, with no restart or build (it reads its files on every request): copy changes are then previewed on
          an app kept running, in seconds
        </label>
        <div className="row">
          <div>
            <label htmlFor="previewRoutes">Routes to capture (one per line)</label>
            <textarea {...bind("previewRoutes")} />
            <label className="check">
              <input type="checkbox" name="previewDetectRoutes" checked={detectRoutes} onChange={(event) => setDetectRoutes(event.target.checked)} />
              Detect routes from the changed files (the list above is the fallback)
            </label>
          </div>
          <div>
            <label htmlFor="previewViewports">Viewports (name WIDTHxHEIGHT, one per line)</label>
            <textarea {...bind("previewViewports")} />
          </div>
        </div>
      </fieldset>
      <FormFooter error={state.error} pending={pending} label="Create environment" />
    </form>
  );
}
