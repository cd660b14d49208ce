// The end of every form: the error from the last submission (as text), then the submit button.
export function FormFooter({ error, pending, label, pendingLabel }: { error?: string | null; pending: boolean; label: string; pendingLabel?: string }) {
  return (
    <>
      <FormError error={error} />
      <p>
        <button type="submit" disabled={pending}>
          {pending && pendingLabel ? pendingLabel : label}
        </button>
      </p>
    </>
  );
}

/** The error of the last submission, announced to screen readers; nothing when there is none. */
export function FormError({ error }: { error?: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}
