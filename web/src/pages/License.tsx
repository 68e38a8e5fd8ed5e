import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useCallback, useState } from "react";
import { AliasField } from "../alias";
import { ApiProblem, api, describe, must, type Operation, type Schemas } from "../api/client";
import { OperationProgress } from "../operations";
import { Link } from "../router";
import {
  CopyButton,
  Empty,
  ErrorText,
  Failed,
  Loading,
  Mono,
  Section,
  TextField,
  Time,
  useTitle,
} from "../ui";
import { PublicLicense } from "./PublicLicense";

type Private = Schemas["PrivateLicense"];
const PAGE = 10;

/**
 * /licenses/{tokenId}: the owner's page (GET …/private) when one of my wallets owns it, otherwise
 * the license's public page (GET /console/licenses/{tokenId}), which the server may refuse.
 */
export function LicensePage({ tokenId }: { tokenId: number }) {
  const view = useQuery({
    queryKey: ["license", tokenId, "private"],
    queryFn: () =>
      must(
        api.GET("/console/licenses/{tokenId}/private", {
          params: { path: { tokenId: String(tokenId) }, query: { limit: "1" } },
        }),
      ),
  });
  useTitle(view.data ? (view.data.license.alias ?? `License ${tokenId}`) : `License ${tokenId}`);
  if (view.isPending) return <Loading what={`license ${tokenId}`} />;
  if (view.isError) {
    const e = view.error;
    if (e instanceof ApiProblem && e.status === 403) return <PublicLicense tokenId={tokenId} />;
    if (e instanceof ApiProblem && e.status === 404)
      return (
        <div className="page">
          <h1>License {tokenId}</h1>
          <p role="alert">{e.message}</p>
        </div>
      );
    return <Failed error={e} retry={() => void view.refetch()} />;
  }
  return <OwnerView data={view.data} tokenId={tokenId} />;
}

/** Refetches everything a write to this license may have changed. */
function useRefresh(tokenId: number) {
  const client = useQueryClient();
  return useCallback(() => {
    void client.invalidateQueries({ queryKey: ["license", tokenId] });
    void client.invalidateQueries({ queryKey: ["licenses"] });
    void client.invalidateQueries({ queryKey: ["alias"] });
  }, [client, tokenId]);
}

function OwnerView({ data, tokenId }: { data: Private; tokenId: number }) {
  const { license } = data;
  const revoked = license.status === "revoked";
  return (
    <div className="page">
      <p className="crumbs">
        <Link href="/licenses">My licenses</Link> › License {tokenId}
      </p>
      <h1>
        <span className="badge" title="Token ID">
          #{license.tokenId}
        </span>{" "}
        {license.alias ?? "Unnamed license"}
      </h1>
      <dl className="facts wide">
        <dt>Client ID</dt>
        <dd>
          <Mono>{license.clientId}</Mono> <CopyButton text={license.clientId} label="Copy client ID" />
        </dd>
        <dt>Status</dt>
        <dd>{revoked ? `Revoked ${new Date(license.revokedAt ?? "").toLocaleString()}` : "Active"}</dd>
        <dt>Owner</dt>
        <dd>
          <Mono>{license.owner}</Mono> (
          {data.manageable === "managed" ? "managed wallet" : "your linked wallet"})
        </dd>
        <dt>Created</dt>
        <dd>
          <Time iso={license.mintedAt} />
        </dd>
      </dl>
      <p>
        <Link href={`/licenses/${tokenId}/integrate`} className="button">
          Integrate: snippets and test my API key
        </Link>
      </p>
      {revoked ? <p className="devnote">This license is revoked: it can no longer be changed.</p> : null}
      {revoked ? null : <Rename tokenId={tokenId} current={license.alias} />}
      <ApiKeys tokenId={tokenId} signers={data.signers} readOnly={revoked} />
      <RedirectUris tokenId={tokenId} uris={data.redirectUris} readOnly={revoked} />
      <Vehicles tokenId={tokenId} />
      <History tokenId={tokenId} />
    </div>
  );
}

function Rename({ tokenId, current }: { tokenId: number; current: string | null }) {
  const refresh = useRefresh(tokenId);
  const [alias, setAlias] = useState(current ?? "");
  const [error, setError] = useState<string | null>(null);
  const [op, setOp] = useState<Operation | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const answer = await must(
        api.PUT("/console/licenses/{tokenId}/alias", {
          params: { path: { tokenId: String(tokenId) } },
          body: { alias },
        }),
      );
      setOp(answer.operation);
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.about("alias") ?? err.message) : describe(err));
    }
  };
  return (
    <Section title="Name">
      <form onSubmit={submit} noValidate className="inline-form">
        <AliasField
          value={alias}
          onChange={setAlias}
          current={current}
          serverError={error}
          label="New name"
        />
        <button type="submit" disabled={alias === (current ?? "") || alias === ""}>
          Rename
        </button>
      </form>
      {op ? (
        <OperationProgress
          key={op.id}
          operation={op}
          label={`Renaming to “${String(op.params.alias ?? "")}”`}
          onSettled={refresh}
        />
      ) : null}
    </Section>
  );
}

type Signer = Private["signers"][number];

function ApiKeys({ tokenId, signers, readOnly }: { tokenId: number; signers: Signer[]; readOnly: boolean }) {
  const refresh = useRefresh(tokenId);
  const [label, setLabel] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Schemas["GeneratedKey"] | null>(null);
  const [ops, setOps] = useState<{ op: Operation; label: string }[]>([]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const path = { tokenId: String(tokenId) };

  const generate = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await must(
        api.POST("/console/licenses/{tokenId}/keys", {
          params: { path },
          body: { label: label.trim() === "" ? null : label.trim() },
        }),
      );
      setCreated(answer);
      setLabel("");
      setOps((o) => [{ op: answer.operation, label: "Enabling the new API key" }, ...o]);
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.about("label") ?? err.message) : describe(err));
    } finally {
      setBusy(false);
    }
  };

  const act = async (signer: Signer, kind: "renew" | "revoke") => {
    setError(null);
    setConfirming(null);
    try {
      const address = signer.address;
      const answer =
        kind === "renew"
          ? await must(
              api.POST("/console/licenses/{tokenId}/keys/{address}/renew", {
                params: { path: { ...path, address } },
              }),
            )
          : await must(
              api.DELETE("/console/licenses/{tokenId}/keys/{address}", {
                params: { path: { ...path, address } },
              }),
            );
      const name = signer.label ? `“${signer.label}”` : address;
      setOps((o) => [
        { op: answer.operation, label: kind === "renew" ? `Renewing key ${name}` : `Revoking key ${name}` },
        ...o,
      ]);
    } catch (err) {
      setError(describe(err));
    }
  };

  return (
    <Section title="API keys">
      <p className="hint">
        An API key is a private key; the console lists only its <em>address</em> (the signer), which is not
        the key. Keys stay valid for the contract's period (365 days by default) and can be renewed.
      </p>
      {signers.length === 0 ? (
        <Empty>No API key yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">API keys of license {tokenId}</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Signer address</th>
                <th scope="col">Enabled</th>
                <th scope="col">Expires</th>
                {readOnly ? null : <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {signers.map((s) => (
                <tr key={s.address}>
                  <td>{s.label ?? <span className="muted">no label</span>}</td>
                  <td>
                    <Mono>{s.address}</Mono>
                  </td>
                  <td>
                    <Time iso={s.enabledAt} />
                  </td>
                  <td>
                    <Time iso={s.expiresAt} />{" "}
                    {s.expired ? (
                      <span className="tag bad">expired</span>
                    ) : s.expiresSoon ? (
                      <span className="tag warn">expires soon</span>
                    ) : null}
                  </td>
                  {readOnly ? null : (
                    <td className="actions">
                      <button
                        type="button"
                        className="secondary small"
                        aria-label={`Renew key ${s.label ?? s.address}`}
                        onClick={() => act(s, "renew")}
                      >
                        Renew
                      </button>
                      {confirming === s.address ? (
                        <>
                          <button
                            type="button"
                            className="danger small"
                            aria-label={`Confirm: revoke key ${s.label ?? s.address}`}
                            onClick={() => act(s, "revoke")}
                          >
                            Yes, revoke
                          </button>
                          <button
                            type="button"
                            className="secondary small"
                            onClick={() => setConfirming(null)}
                          >
                            Keep
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          className="danger small"
                          aria-label={`Revoke key ${s.label ?? s.address}`}
                          onClick={() => setConfirming(s.address)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {created ? <KeyReveal answer={created} onDone={() => setCreated(null)} /> : null}
      {readOnly ? null : (
        <form onSubmit={generate} noValidate className="inline-form">
          <TextField
            label="Label for a new key"
            name="label"
            placeholder="e.g. production server"
            maxLength={256}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            error={error}
          />
          <button type="submit" disabled={busy}>
            {busy ? "Generating…" : "Generate API key"}
          </button>
        </form>
      )}
      {ops.map(({ op, label: l }) => (
        <OperationProgress key={op.id} operation={op} label={l} onSettled={refresh} />
      ))}
    </Section>
  );
}

/** The private key, once: a warning, the key and a copy button. */
function KeyReveal({ answer, onDone }: { answer: Schemas["GeneratedKey"]; onDone: () => void }) {
  const key = answer.apiKey.privateKey;
  return (
    <section className="reveal" aria-label="Your new API key">
      <h3>Your new API key{answer.apiKey.label ? ` “${answer.apiKey.label}”` : ""}</h3>
      <p className="warning">
        <strong>Copy it now: this is the only time it is shown.</strong> The server does not keep it. Anyone
        with this key can sign in as your license; store it as a secret. Lost it? Revoke it and generate
        another.
      </p>
      <TextField
        label="API key (private key)"
        readOnly
        value={key}
        className="mono-input"
        onFocus={(e) => e.target.select()}
      />
      <div className="row">
        <CopyButton text={key} label="Copy API key" />
        <button type="button" className="secondary" onClick={onDone}>
          I have saved it
        </button>
      </div>
      <p className="hint">
        Signer address: <Mono>{answer.apiKey.address}</Mono>. The key works once the operation below is
        indexed.
      </p>
    </section>
  );
}

function RedirectUris({
  tokenId,
  uris,
  readOnly,
}: {
  tokenId: number;
  uris: Private["redirectUris"];
  readOnly: boolean;
}) {
  const refresh = useRefresh(tokenId);
  const [uri, setUri] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [ops, setOps] = useState<{ op: Operation; label: string }[]>([]);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const path = { tokenId: String(tokenId) };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setWarnings([]);
    try {
      const answer = await must(
        api.POST("/console/licenses/{tokenId}/redirect-uris", {
          params: { path },
          body: { uri: uri.trim() },
        }),
      );
      setWarnings(answer.warnings);
      setOps((o) => [{ op: answer.operation, label: `Adding ${uri.trim()}` }, ...o]);
      setUri("");
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.about("uri") ?? err.message) : describe(err));
    }
  };
  const remove = async (value: string) => {
    setRemoveError(null);
    try {
      const answer = await must(
        api.DELETE("/console/licenses/{tokenId}/redirect-uris", { params: { path, query: { uri: value } } }),
      );
      setOps((o) => [{ op: answer.operation, label: `Removing ${value}` }, ...o]);
    } catch (err) {
      setRemoveError(err);
    }
  };

  return (
    <Section title="Authorized redirect URIs">
      <p className="hint">
        Login with DIMO accepts a <code>domain</code> only when it is exactly one of these, byte for byte.
      </p>
      {uris.length === 0 ? (
        <Empty>No redirect URI yet: Login with DIMO needs at least one.</Empty>
      ) : (
        <ul className="plain" aria-label="Redirect URIs">
          {uris.map((u) => (
            <li key={u.uri} className="row">
              <Mono>{u.uri}</Mono>
              <span className="muted">
                since <Time iso={u.enabledAt} />
              </span>
              {readOnly ? null : (
                <button
                  type="button"
                  className="danger small"
                  aria-label={`Remove ${u.uri}`}
                  onClick={() => remove(u.uri)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorText error={removeError} />
      {readOnly ? null : (
        <form onSubmit={add} noValidate className="inline-form">
          <TextField
            label="Redirect URI to add"
            name="uri"
            type="url"
            inputMode="url"
            placeholder="https://app.example/callback"
            value={uri}
            onChange={(e) => setUri(e.target.value)}
            error={error}
          />
          <button type="submit" disabled={uri.trim() === ""}>
            Add redirect URI
          </button>
        </form>
      )}
      {warnings.length > 0 ? (
        <div className="warning" role="status">
          <p>The server accepted it, with a warning:</p>
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {ops.map(({ op, label }) => (
        <OperationProgress key={op.id} operation={op} label={label} onSettled={refresh} />
      ))}
    </Section>
  );
}

/** Vehicles shared with the license, newest grants first; polled so a new share shows up by itself. */
export function Vehicles({ tokenId }: { tokenId: number }) {
  const vehicles = useInfiniteQuery({
    queryKey: ["license", tokenId, "vehicles"],
    queryFn: ({ pageParam }) =>
      must(
        api.GET("/v1/licenses/{tokenId}/vehicles", {
          params: {
            path: { tokenId: String(tokenId) },
            query: { limit: String(PAGE), ...(pageParam ? { cursor: pageParam } : {}) },
          },
          cache: "no-cache",
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5_000,
  });
  const items = vehicles.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Section title="Shared vehicles">
      {vehicles.isPending ? (
        <Loading what="shared vehicles" />
      ) : vehicles.isError ? (
        <Failed error={vehicles.error} retry={() => void vehicles.refetch()} />
      ) : items.length === 0 ? (
        <Empty>No vehicle shares data with this license yet. This list updates by itself.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Vehicles shared with license {tokenId}</caption>
            <thead>
              <tr>
                <th scope="col">Vehicle</th>
                <th scope="col">Owner</th>
                <th scope="col">Permissions</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr key={v.vehicleId}>
                  <td>Vehicle {v.vehicleId}</td>
                  <td>{v.owner ? <Mono>{v.owner}</Mono> : <span className="muted">unknown</span>}</td>
                  <td>
                    <ul className="perm-list">
                      {v.permissions.map((p) => (
                        <li key={p}>{p}</li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <Time iso={v.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {vehicles.hasNextPage ? (
        <button
          type="button"
          className="secondary"
          onClick={() => void vehicles.fetchNextPage()}
          disabled={vehicles.isFetchingNextPage}
        >
          {vehicles.isFetchingNextPage ? "Loading…" : "More vehicles"}
        </button>
      ) : null}
    </Section>
  );
}

const EVENT_WORDS: Record<string, string> = {
  Issued: "Created",
  LicenseAliasSet: "Renamed",
  SignerEnabled: "API key enabled",
  SignerDisabled: "API key revoked",
  RedirectUriEnabled: "Redirect URI added",
  RedirectUriDisabled: "Redirect URI removed",
  Locked: "Revoked",
};

function History({ tokenId }: { tokenId: number }) {
  const history = useInfiniteQuery({
    queryKey: ["license", tokenId, "history"],
    queryFn: ({ pageParam }) =>
      must(
        api.GET("/v1/licenses/{tokenId}/events", {
          params: {
            path: { tokenId: String(tokenId) },
            query: { limit: String(PAGE), ...(pageParam ? { cursor: pageParam } : {}) },
          },
          cache: "no-cache",
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Section title="History">
      {history.isPending ? (
        <Loading what="history" />
      ) : history.isError ? (
        <Failed error={history.error} retry={() => void history.refetch()} />
      ) : items.length === 0 ? (
        <Empty>No events yet.</Empty>
      ) : (
        <ol className="history" aria-label="License events">
          {items.map((ev) => (
            <li key={`${ev.txHash}:${ev.logIndex}`}>
              <strong>{EVENT_WORDS[ev.type] ?? ev.type}</strong>{" "}
              {Object.entries(ev.args)
                .filter(([k]) => k !== "tokenId")
                .map(([k, v]) => (
                  <span key={k} className="arg">
                    {k}: <Mono>{String(v)}</Mono>
                  </span>
                ))}
              <span className="muted">
                {" "}
                block {ev.blockNumber}, <Time iso={ev.timestamp} />
              </span>
            </li>
          ))}
        </ol>
      )}
      {history.hasNextPage ? (
        <button
          type="button"
          className="secondary"
          onClick={() => void history.fetchNextPage()}
          disabled={history.isFetchingNextPage}
        >
          {history.isFetchingNextPage ? "Loading…" : "More history"}
        </button>
      ) : null}
    </Section>
  );
}
