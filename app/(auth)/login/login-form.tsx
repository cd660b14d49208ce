"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { FormError } from "@/components/form-footer";

export function LoginForm({ github }: { github: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
    setPending(false);
    if (!result || result.error) {
      // Same message whether the account exists or not; the rate-limit message is passed through.
      setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Wrong email or password.");
      return;
    }
    window.location.href = "/";
  }

  return (
    <form onSubmit={onSubmit}>
      <h2 style={{ marginTop: 0 }}>Sign in</h2>
      <label htmlFor="email">Email</label>
      <input id="email" name="email" type="email" autoComplete="username" required />
      <label htmlFor="password">Password</label>
      <input id="password" name="password" type="password" autoComplete="current-password" required />
      <FormError error={error} />
      <p>
        <button type="submit" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
        {github && (
          <button type="button" className="secondary" style={{ marginLeft: 8 }} onClick={() => signIn("github", { callbackUrl: "/" })}>
            Sign in with GitHub
          </button>
        )}
      </p>
    </form>
  );
}
