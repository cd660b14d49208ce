// The end of every form: the error from the last submission (as text), then the submit button.
export function FormFooter({ error, pending, label, pendingLabel }: { error?: string | null; pending: boolean; label: string; pendingLabel?: string }) {
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p>
        <button type="submit" disabled={pending}>
          {pending && pendingLabel ? pendingLabel : label}
        </button>
      </p>
    </>
  );
}
