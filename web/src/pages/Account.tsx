import { type PublicKeyCredentialCreationOptionsJSON, startRegistration } from "@simplewebauthn/browser";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiProblem, api, describe, must } from "../api/client";
import { signOut, useMe } from "../session";
import { Empty, ErrorText, Failed, Loading, Section, TextField, Time, useTitle } from "../ui";

export function Account() {
  useTitle("Account");
  const me = useMe();
  const [error, setError] = useState<unknown>(null);
  if (!me.data) return <Loading what="your account" />;
  const { email, createdAt, session } = me.data;
  return (
    <div className="page">
      <h1>Account</h1>
      <dl className="facts wide">
        <dt>Email</dt>
        <dd>{email}</dd>
        <dt>Account created</dt>
        <dd>
          <Time iso={createdAt} />
        </dd>
        <dt>This session ends</dt>
        <dd>
          <Time iso={session.idleExpiresAt} /> if idle, at the latest <Time iso={session.expiresAt} />
        </dd>
      </dl>
      <Passkeys />
      <Section title="Sessions">
        <p>
          Signing out everywhere ends every session of this account: other browsers, devices and this one.
        </p>
        <button type="button" className="danger" onClick={() => signOut(true).catch(setError)}>
          Sign out everywhere
        </button>
        <ErrorText error={error} />
      </Section>
    </div>
  );
}

function Passkeys() {
  const client = useQueryClient();
  const list = useQuery({ queryKey: ["passkeys"], queryFn: () => must(api.GET("/console/passkeys")) });
  const [label, setLabel] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const options = await must(api.POST("/console/passkeys/register/options"));
      const response = await startRegistration({
        optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
      });
      const created = await must(
        api.POST("/console/passkeys/register/verify", {
          body: { response: response as never, ...(label.trim() ? { label: label.trim() } : {}) },
        }),
      );
      setDone(`Passkey “${created.label}” added: you can now sign in with it.`);
      setLabel("");
      void client.invalidateQueries({ queryKey: ["passkeys"] });
    } catch (err) {
      setError(
        err instanceof Error && err.name === "NotAllowedError"
          ? "No passkey was created (cancelled or timed out)"
          : err instanceof ApiProblem
            ? (err.about("label") ?? err.message)
            : describe(err),
      );
    }
  };
  const remove = async (id: string) => {
    setRemoveError(null);
    try {
      await must(api.DELETE("/console/passkeys/{id}", { params: { path: { id } } }));
      void client.invalidateQueries({ queryKey: ["passkeys"] });
    } catch (err) {
      setRemoveError(err);
    }
  };

  return (
    <Section title="Passkeys">
      <p>
        Sign in without a code: a passkey lives in this device (or your password manager) and never leaves it.
      </p>
      {list.isPending ? (
        <Loading what="passkeys" />
      ) : list.isError ? (
        <Failed error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>No passkey yet.</Empty>
      ) : (
        <ul className="plain" aria-label="My passkeys">
          {list.data.items.map((p) => (
            <li key={p.id} className="row">
              <strong>{p.label}</strong>
              <span className="muted">
                added <Time iso={p.createdAt} />, last used{" "}
                {p.lastUsedAt ? <Time iso={p.lastUsedAt} /> : "never"}
                {p.backedUp ? ", synced" : ""}
              </span>
              <button
                type="button"
                className="danger small"
                aria-label={`Remove passkey ${p.label}`}
                onClick={() => remove(p.id)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={removeError} />
      <form onSubmit={add} noValidate className="inline-form">
        <TextField
          label="Name for a new passkey"
          name="passkey-label"
          placeholder="e.g. MacBook Touch ID"
          maxLength={64}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={error}
        />
        <button type="submit">Add a passkey</button>
      </form>
      {done ? <p role="status">{done}</p> : null}
    </Section>
  );
}
