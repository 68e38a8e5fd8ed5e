import { type PublicKeyCredentialRequestOptionsJSON, startAuthentication } from "@simplewebauthn/browser";
import { type FormEvent, useState } from "react";
import { ApiProblem, api, describe, must } from "../api/client";
import { signedIn, useSettings } from "../session";
import { TextField, useTitle } from "../ui";

const PROVIDER_NAMES = { google: "Google", apple: "Apple", github: "GitHub" } as const;

export function SignIn() {
  useTitle("Sign in");
  const settings = useSettings();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [emailError, setEmailError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | null>(null);
  const [passkeyError, setPasskeyError] = useState<string | null>(null);

  const next = new URLSearchParams(window.location.search).get("next");
  const returnTo = next?.startsWith("/") && !next.startsWith("//") ? next : "/licenses";

  const sendCode = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setEmailError(null);
    try {
      const answer = await must(api.POST("/console/auth/email/start", { body: { email: email.trim() } }));
      setSent(answer.message);
      setCode("");
      setCodeError(null);
    } catch (error) {
      setEmailError(error instanceof ApiProblem ? (error.about("email") ?? error.message) : describe(error));
    } finally {
      setBusy(false);
    }
  };

  const verify = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setCodeError(null);
    try {
      signedIn(
        await must(
          api.POST("/console/auth/email/verify", { body: { email: email.trim(), code: code.trim() } }),
        ),
      );
    } catch (error) {
      setCodeError(error instanceof ApiProblem ? (error.about("code") ?? error.message) : describe(error));
    } finally {
      setBusy(false);
    }
  };

  const passkey = async () => {
    setPasskeyError(null);
    try {
      const options = await must(api.POST("/console/auth/passkey/options"));
      const response = await startAuthentication({
        optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
      });
      signedIn(
        await must(api.POST("/console/auth/passkey/verify", { body: { response: response as never } })),
      );
    } catch (error) {
      setPasskeyError(
        error instanceof Error && error.name === "NotAllowedError"
          ? "No passkey was used (cancelled, or none saved for this site on this device)"
          : describe(error),
      );
    }
  };

  const mailbox = settings.data?.signIn.email.devMailbox;
  const emailOff = settings.data?.signIn.email.delivery === "off";
  const providers = settings.data?.signIn.providers ?? [];

  return (
    <div className="page narrow">
      <h1>Sign in to the DIMO Developer Console</h1>
      <p>One account per email. Your first sign-in creates it, with a wallet the console manages for you.</p>

      <section className="panel" aria-labelledby="email-heading">
        <h2 id="email-heading">With an email code</h2>
        {emailOff ? (
          <p>Email sign-in is off on this server: it has no mail service. Use a passkey or a provider.</p>
        ) : sent === null ? (
          <form onSubmit={sendCode} noValidate>
            <TextField
              label="Email"
              type="email"
              name="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={emailError}
            />
            <button type="submit" disabled={busy || email.trim() === ""}>
              {busy ? "Sending…" : "Email me a sign-in code"}
            </button>
          </form>
        ) : (
          <form onSubmit={verify} noValidate>
            <p role="status">{sent}</p>
            {mailbox ? (
              <p className="devnote">
                <strong>Development server:</strong> no email leaves this machine. The code is in the newest
                file of <code>{mailbox}</code> (its subject line).
              </p>
            ) : null}
            <TextField
              label="6-digit code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={codeError}
              hint={`Sent to ${email.trim()}. It expires in 10 minutes.`}
            />
            <div className="row">
              <button type="submit" disabled={busy || code.trim().length !== 6}>
                {busy ? "Signing in…" : "Sign in"}
              </button>
              <button type="button" className="secondary" onClick={() => setSent(null)}>
                Use another email
              </button>
            </div>
          </form>
        )}
      </section>

      <section className="panel" aria-labelledby="other-heading">
        <h2 id="other-heading">Other ways</h2>
        <div className="row wrap">
          <button type="button" className="secondary" onClick={passkey}>
            Sign in with a passkey
          </button>
          {providers.map((p) => (
            <a
              key={p}
              className="button secondary"
              href={`/console/auth/${p}/start?returnTo=${encodeURIComponent(returnTo)}`}
            >
              Continue with {PROVIDER_NAMES[p]}
            </a>
          ))}
        </div>
        {passkeyError ? (
          <p className="error" role="alert">
            {passkeyError}
          </p>
        ) : null}
        {providers.length === 0 && settings.isSuccess ? (
          <p className="hint">
            Google, Apple and GitHub sign-in appear here once the server is configured for them.
          </p>
        ) : null}
      </section>
    </div>
  );
}
