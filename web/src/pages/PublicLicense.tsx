import { useQuery } from "@tanstack/react-query";
import { ApiProblem, api, must } from "../api/client";
import { Link } from "../router";
import { Empty, Failed, Loading, Mono, Section, Time, useTitle } from "../ui";

/**
 * Another developer's license, read-only (GET /console/licenses/{tokenId}): the server shows it to
 * accounts that own an active license, and explains its refusal to others.
 */
export function PublicLicense({ tokenId }: { tokenId: number }) {
  const view = useQuery({
    queryKey: ["license", tokenId, "public"],
    queryFn: () =>
      must(api.GET("/console/licenses/{tokenId}", { params: { path: { tokenId: String(tokenId) } } })),
  });
  useTitle(view.data ? `${view.data.alias ?? `License ${tokenId}`} (public)` : `License ${tokenId}`);
  if (view.isPending) return <Loading what={`license ${tokenId}`} />;
  if (view.isError) {
    const e = view.error;
    if (e instanceof ApiProblem && e.status === 403) {
      return (
        <div className="page narrow">
          <h1>License {tokenId}</h1>
          <div className="refusal" role="alert">
            <p>
              <strong>The server did not show this license:</strong> {e.message}
            </p>
          </div>
          <p>
            Public license pages are for developers who hold a license of their own, as in DIMO's console:
            once one of your wallets owns an active license, this page shows the license's client ID, redirect
            URIs and API key addresses (never its keys). <Link href="/licenses">Create a license</Link>.
          </p>
        </div>
      );
    }
    if (e instanceof ApiProblem && e.status === 404) {
      return (
        <div className="page narrow">
          <h1>License {tokenId}</h1>
          <p role="alert">{e.message}</p>
        </div>
      );
    }
    return <Failed error={e} retry={() => void view.refetch()} />;
  }
  const l = view.data;
  return (
    <div className="page">
      <p className="crumbs">Public license page</p>
      <h1>
        <span className="badge" title="Token ID">
          #{l.tokenId}
        </span>{" "}
        {l.alias ?? "Unnamed license"}
      </h1>
      <p className="hint">
        Read-only: you do not own this license. Share this page's address with other developers.
      </p>
      <dl className="facts wide">
        <dt>Client ID</dt>
        <dd>
          <Mono>{l.clientId}</Mono>
        </dd>
        <dt>Owner</dt>
        <dd>
          <Mono>{l.owner}</Mono>
        </dd>
        <dt>Status</dt>
        <dd>{l.status === "active" ? "Active" : "Revoked"}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={l.mintedAt} />
        </dd>
      </dl>
      <Section title="Authorized redirect URIs">
        {l.redirectUris.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <ul className="plain">
            {l.redirectUris.map((u) => (
              <li key={u.uri}>
                <Mono>{u.uri}</Mono>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="API key addresses">
        {l.signers.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <ul className="plain">
            {l.signers.map((s) => (
              <li key={s.address}>
                <Mono>{s.address}</Mono> — expires <Time iso={s.expiresAt} />
                {s.expired ? " (expired)" : ""}
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
