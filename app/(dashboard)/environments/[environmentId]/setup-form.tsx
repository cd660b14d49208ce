"use client";

import { useActionState, useState } from "react";
import { submitWithoutReset } from "@/components/submit-without-reset";
import { useFieldValues } from "@/components/use-field-values";
import { FormFooter } from "@/components/form-footer";
import { type FormState, updateSetupAction } from "../../actions";
import { emptySecretRow, SecretRows } from "../secret-rows";
import type { SetupFormValues } from "../setup-form-data";

/** How the environment installs a real project: scripts, Node.js, variables, secrets, network and cache key. */
export function SetupForm(props: { environmentId: string; initial: SetupFormValues; secretNames: string[]; defaultHosts: readonly string[] }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number }, FormData>(updateSetupAction.bind(null, props.environmentId), {});
  // Controlled so a rejected submission keeps everything that was typed, new secret values included.
  const { bind } = useFieldValues(props.initial, "");
  const [secretRows, setSecretRows] = useState([emptySecretRow]);
  const [removed, setRemoved] = useState<string[]>([]);
  // After a successful save the new secrets are stored: clear their inputs so no value stays on the page.
  // Only a new successful save clears them: a rejected one (saved is then unset) keeps what was typed.
  const [handledSave, setHandledSave] = useState(state.saved);
  if (state.saved !== undefined && state.saved !== handledSave) {
    setHandledSave(state.saved);
    setSecretRows([emptySecretRow]);
    setRemoved([]);
  }
  const toggleRemoved = (name: string, checked: boolean) =>
    setRemoved((previous) => (checked ? [...previous, name] : previous.filter((other) => other !== name)));

  return (
    <form onSubmit={submitWithoutReset(action)}>
      <fieldset>
        <legend>Scripts</legend>
        <p className="muted">
          The setup script runs once after the checkout, with network access through the egress proxy and with the secrets. Its result (e.g. node_modules) is
          cached until the script, the variables, the Node.js version or the lockfiles change; on a cache hit the maintenance script runs instead.
        </p>
        <label htmlFor="setupScript">Setup script</label>
        <textarea {...bind("setupScript")} className="mono" rows={6} placeholder={"npm ci\nnpx playwright install-deps"} spellCheck={false} />
        <label htmlFor="maintenanceScript">Maintenance script (runs when a cached setup is reused)</label>
        <textarea {...bind("maintenanceScript")} className="mono" rows={3} placeholder="npm install --prefer-offline" spellCheck={false} />
        <div className="row">
          <div>
            <label htmlFor="nodeVersion">Node.js version</label>
            <select {...bind("nodeVersion")}>
              <option value="20">20</option>
              <option value="22">22</option>
            </select>
          </div>
          <div>
            <label htmlFor="checkCommand">Check command (run after the agent; a pass ranks an attempt higher)</label>
            <input {...bind("checkCommand")} className="mono" placeholder="npm test" spellCheck={false} />
          </div>
          <div>
            <label htmlFor="workerLabels">Worker labels (comma-separated; only workers started with all of them run these tasks)</label>
            <input {...bind("workerLabels")} className="mono" placeholder="gpu, large" spellCheck={false} />
          </div>
        </div>
      </fieldset>

      <fieldset>
        <legend>Variables and secrets</legend>
        <label htmlFor="env">Variables (one NAME=value per line; set in every phase, visible to the agent)</label>
        <textarea {...bind("env")} className="mono" rows={4} placeholder={"NODE_ENV=development\nNEXT_TELEMETRY_DISABLED=1"} spellCheck={false} />
        <p className="muted" style={{ marginBottom: 0 }}>
          Secrets are given to the setup and maintenance scripts only, never to the agent, and are redacted from their output. Values are write-only: enter a
          name again to replace its value.
        </p>
        {props.secretNames.length === 0 ? (
          <p className="muted" data-testid="secret-names">
            No secrets yet.
          </p>
        ) : (
          <ul className="secret-list" data-testid="secret-names">
            {props.secretNames.map((name) => (
              <li key={name} data-testid="secret-name">
                <code>{name}</code>
                <label className="check" style={{ margin: 0 }}>
                  <input
                    type="checkbox"
                    name="removeSecret"
                    value={name}
                    checked={removed.includes(name)}
                    onChange={(event) => toggleRemoved(name, event.target.checked)}
                    aria-label={`Remove secret ${name}`}
                  />
                  Remove
                </label>
              </li>
            ))}
          </ul>
        )}
        <SecretRows rows={secretRows} onChange={setSecretRows} />
      </fieldset>

      <fieldset>
        <legend>Network</legend>
        <p className="muted">
          Setup always reaches the package registries below, plus the hosts you add. Any other host is refused and shows up in the task&apos;s timeline.
        </p>
        <label htmlFor="networkAgent">Network for the agent</label>
        <select {...bind("networkAgent")}>
          <option value="off">Off: no network while the agent works (default)</option>
          <option value="allowlist">Allowlist: the registries and the hosts below</option>
          <option value="on">On: any public host, through the proxy</option>
        </select>
        <label htmlFor="networkAllow">Allowed hosts (one per line: example.com or *.example.com)</label>
        <textarea {...bind("networkAllow")} className="mono" rows={3} placeholder={"npm.pkg.github.com\n*.internal.example.com"} spellCheck={false} />
        <details className="hosts">
          <summary>Always allowed during setup ({props.defaultHosts.length} package registries)</summary>
          <ul data-testid="default-hosts">
            {props.defaultHosts.map((host) => (
              <li key={host}>{host}</li>
            ))}
          </ul>
        </details>
      </fieldset>

      <fieldset>
        <legend>Cache</legend>
        <label htmlFor="cacheKeyFiles">Extra cache-key files (globs, one per line; lockfiles such as package-lock.json are always part of the key)</label>
        <textarea {...bind("cacheKeyFiles")} className="mono" rows={2} placeholder={".tool-versions\npackages/*/package.json"} spellCheck={false} />
      </fieldset>

      {state.saved && !state.error && !pending && (
        <p className="muted" role="status" data-testid="setup-saved">
          Saved. The next task (or Test setup) uses these settings.
        </p>
      )}
      <FormFooter error={state.error} pending={pending} label="Save setup" pendingLabel="Saving…" />
    </form>
  );
}
