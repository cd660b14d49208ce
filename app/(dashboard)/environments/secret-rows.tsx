"use client";

export type SecretRow = { name: string; value: string };
export const emptySecretRow: SecretRow = { name: "", value: "" };

/**
 * Name + value inputs for new secrets, controlled by the form so a rejected submission keeps them. Values
 * are password inputs and are never sent back by the server: once saved, only the name is shown.
 */
export function SecretRows({ rows, onChange }: { rows: SecretRow[]; onChange: (rows: SecretRow[]) => void }) {
  const update = (index: number, field: keyof SecretRow, value: string) => onChange(rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  return (
    <>
      {rows.map((row, index) => {
        const suffix = index === 0 ? "" : ` ${index + 1}`;
        return (
          <div className="row" key={index}>
            <div>
              <label htmlFor={`secretName-${index}`}>New secret name{suffix}</label>
              <input
                id={`secretName-${index}`}
                name="secretName"
                value={row.name}
                onChange={(event) => update(index, "name", event.target.value)}
                placeholder="NPM_TOKEN"
                autoComplete="off"
                spellCheck={false}
              />
            </div>
            <div>
              <label htmlFor={`secretValue-${index}`}>New secret value{suffix}</label>
              <input
                id={`secretValue-${index}`}
                name="secretValue"
                type="password"
                value={row.value}
                onChange={(event) => update(index, "value", event.target.value)}
                autoComplete="new-password"
              />
            </div>
          </div>
        );
      })}
      <p>
        <button type="button" className="secondary" onClick={() => onChange([...rows, emptySecretRow])}>
          Add another secret
        </button>
      </p>
    </>
  );
}
