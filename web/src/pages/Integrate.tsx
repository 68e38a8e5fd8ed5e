import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { privateKeyToAccount } from "viem/accounts";
import { ApiProblem, api, describe, must, postForm } from "../api/client";
import { Link } from "../router";
import { useSettings } from "../session";
import {
  CopyButton,
  Empty,
  ErrorText,
  Failed,
  Loading,
  Mono,
  Section,
  SelectField,
  TextField,
  useTitle,
} from "../ui";

// Everything a developer pastes into their app, and a panel that runs Login with DIMO right here:
// the API key is used to sign in this page only (viem, in the browser); only the signature is sent.

type Claims = Record<string, unknown>;

function claimsOf(jwt: string): Claims {
  const part = jwt.split(".")[1] ?? "";
  const json = atob(
    part
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(part.length / 4) * 4, "="),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Claims;
}

const asKey = (text: string): `0x${string}` | null => {
  const hex = text.trim().replace(/^0x/i, "");
  return /^[0-9a-fA-F]{64}$/.test(hex) ? (`0x${hex}` as const) : null;
};

export function Integrate({ tokenId }: { tokenId: number }) {
  useTitle(`Integrate license ${tokenId}`);
  const view = useQuery({
    queryKey: ["license", tokenId, "private"],
    queryFn: () =>
      must(
        api.GET("/console/licenses/{tokenId}/private", {
          params: { path: { tokenId: String(tokenId) }, query: { limit: "1" } },
        }),
      ),
  });
  if (view.isPending) return <Loading what={`license ${tokenId}`} />;
  if (view.isError) return <Failed error={view.error} retry={() => void view.refetch()} />;
  const { license } = view.data;
  const uris = view.data.redirectUris.map((u) => u.uri);
  const origin = window.location.origin;
  const domain = uris[0] ?? "https://your-app.example/callback";

  const ts = `import { DIMO } from "@dimo-network/data-sdk";

const dimo = new DIMO("Production");
const developerJwt = await dimo.auth.getDeveloperJwt({
  client_id: "${license.clientId}",
  domain: "${domain}",
  private_key: process.env.DIMO_API_KEY, // your API key: keep it out of the code
});`;
  const py = `import os

from dimo import DIMO

dimo = DIMO("Production")
developer_jwt = dimo.auth.get_dev_jwt(
    client_id="${license.clientId}",
    domain="${domain}",
    private_key=os.environ["DIMO_API_KEY"],
)`;
  const curl = `# 1. A challenge for your license
curl -s ${origin}/auth/web3/generate_challenge \\
  --data-urlencode client_id=${license.clientId} \\
  --data-urlencode domain=${domain} \\
  --data-urlencode address=${license.clientId} \\
  --data-urlencode 'scope=openid email' --data-urlencode response_type=code
# 2. Sign .challenge with your API key (EIP-191 personal_sign), then:
curl -s ${origin}/auth/web3/submit_challenge \\
  --data-urlencode client_id=${license.clientId} --data-urlencode domain=${domain} \\
  --data-urlencode grant_type=authorization_code \\
  --data-urlencode state=<state from step 1> --data-urlencode signature=<0x… signature>
# → {"access_token": "<developer JWT>", …}`;

  return (
    <div className="page">
      <p className="crumbs">
        <Link href="/licenses">My licenses</Link> ›{" "}
        <Link href={`/licenses/${tokenId}`}>License {tokenId}</Link> › Integrate
      </p>
      <h1>Integrate {license.alias ?? `license ${tokenId}`}</h1>
      <Section title="Your credentials">
        <dl className="facts wide">
          <dt>Client ID</dt>
          <dd>
            <Mono>{license.clientId}</Mono> <CopyButton text={license.clientId} label="Copy client ID" />
          </dd>
          <dt>Redirect URIs (domain)</dt>
          <dd>
            {uris.length === 0 ? (
              <span>
                None yet: <Link href={`/licenses/${tokenId}`}>add one</Link>; Login with DIMO needs it.
              </span>
            ) : (
              <ul className="plain">
                {uris.map((u) => (
                  <li key={u}>
                    <Mono>{u}</Mono>
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>API key</dt>
          <dd>
            Shown once when generated, on the <Link href={`/licenses/${tokenId}`}>license page</Link>.
          </dd>
        </dl>
      </Section>
      <Section title="Snippets">
        <p className="hint">
          DIMO's SDKs call DIMO's own servers, so their snippets work for licenses on Polygon. This server
          answers the same calls itself at <code>{origin}</code>: the curl snippet runs against it.
        </p>
        <Snippet title="TypeScript (@dimo-network/data-sdk)" code={ts} />
        <Snippet title="Python (dimo-python-sdk)" code={py} />
        <Snippet title={`curl against ${origin}`} code={curl} />
      </Section>
      <TestKey clientId={license.clientId} uris={uris} tokenId={tokenId} />
    </div>
  );
}

function Snippet({ title, code }: { title: string; code: string }) {
  return (
    <figure className="snippet">
      <figcaption>
        {title} <CopyButton text={code} label={`Copy ${title.split(" ")[0]} snippet`} />
      </figcaption>
      <pre>
        <code>{code}</code>
      </pre>
    </figure>
  );
}

function TestKey({ clientId, uris, tokenId }: { clientId: string; uris: string[]; tokenId: number }) {
  const settings = useSettings();
  const [key, setKey] = useState("");
  const [domain, setDomain] = useState(uris[0] ?? "");
  const [keyError, setKeyError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [jwt, setJwt] = useState<{ token: string; claims: Claims } | null>(null);

  const login = async (e: FormEvent) => {
    e.preventDefault();
    setKeyError(null);
    setJwt(null);
    const privateKey = asKey(key);
    if (!privateKey) {
      setKeyError(
        "An API key is 32 bytes of hex (64 hex digits, 0x optional), as shown when it was generated",
      );
      return;
    }
    setBusy(true);
    try {
      const account = privateKeyToAccount(privateKey);
      const { state, challenge } = await postForm("/auth/web3/generate_challenge", {
        client_id: clientId,
        domain,
        address: clientId,
        scope: "openid email",
        response_type: "code",
      });
      const signature = await account.signMessage({ message: challenge });
      const token = await postForm("/auth/web3/submit_challenge", {
        client_id: clientId,
        domain,
        grant_type: "authorization_code",
        state,
        signature,
      });
      setJwt({ token: token.access_token, claims: claimsOf(token.access_token) });
    } catch (err) {
      setKeyError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Test my API key">
      <p>
        Runs Login with DIMO in this page: the challenge is signed here with the key you paste, and only the
        signature goes to the server. <strong>The key never leaves this page.</strong>
      </p>
      {uris.length === 0 ? (
        <Empty>Add a redirect URI to the license first: the challenge names one.</Empty>
      ) : (
        <form onSubmit={login} noValidate className="grid-form" autoComplete="off">
          <TextField
            label="API key"
            name="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            error={keyError}
          />
          <SelectField
            label="Redirect URI (domain)"
            value={domain}
            onChange={(e) => setDomain(e.target.value)}
          >
            {uris.map((u) => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </SelectField>
          <div className="row">
            <button type="submit" disabled={busy || key === ""}>
              {busy ? "Signing in…" : "Get a developer JWT"}
            </button>
          </div>
        </form>
      )}
      {jwt ? (
        <section className="result" aria-label="Developer JWT">
          <h3>Developer JWT</h3>
          <p role="status">Signed in as license {tokenId}: the key works.</p>
          <ClaimList claims={jwt.claims} label="Developer JWT claims" />
          <CopyButton text={jwt.token} label="Copy developer JWT" />
          {settings.data ? (
            <VehicleToken
              tokenId={tokenId}
              jwt={jwt.token}
              chainId={settings.data.chainId}
              vehicleContract={settings.data.contracts.vehicleId}
            />
          ) : null}
        </section>
      ) : null}
    </Section>
  );
}

function ClaimList({ claims, label }: { claims: Claims; label: string }) {
  return (
    <dl className="facts claims" aria-label={label}>
      {Object.entries(claims).map(([k, v]) => (
        <div key={k} className="claim">
          <dt>{k}</dt>
          <dd>
            <Mono>{typeof v === "string" ? v : JSON.stringify(v)}</Mono>
            {(k === "exp" || k === "iat" || k === "nbf") && typeof v === "number" ? (
              <span className="muted"> ({new Date(v * 1000).toLocaleString()})</span>
            ) : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function VehicleToken({
  tokenId,
  jwt,
  chainId,
  vehicleContract,
}: {
  tokenId: number;
  jwt: string;
  chainId: number;
  vehicleContract: string;
}) {
  const vehicles = useQuery({
    queryKey: ["license", tokenId, "vehicles-for-token"],
    queryFn: () =>
      must(
        api.GET("/v1/licenses/{tokenId}/vehicles", {
          params: { path: { tokenId: String(tokenId) }, query: { limit: "100" } },
          cache: "no-cache",
        }),
      ),
  });
  const [vehicleId, setVehicleId] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [claims, setClaims] = useState<Claims | null>(null);
  const items = vehicles.data?.items ?? [];
  const chosen = items.find((v) => String(v.vehicleId) === vehicleId) ?? items[0];

  const exchange = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    setError(null);
    setClaims(null);
    try {
      const { token } = await must(
        api.POST("/v1/tokens/exchange", {
          headers: { Authorization: `Bearer ${jwt}` },
          body: {
            asset: `did:erc721:${chainId}:${vehicleContract}:${chosen.vehicleId}`,
            permissions: chosen.permissions,
          },
        }),
      );
      setClaims(claimsOf(token));
    } catch (err) {
      setError(err instanceof ApiProblem ? err : describe(err));
    }
  };

  return (
    <div className="subpanel">
      <h3>Vehicle token</h3>
      {vehicles.isPending ? (
        <Loading what="shared vehicles" />
      ) : items.length === 0 ? (
        <Empty>No vehicle shares data with this license yet, so there is no vehicle token to get.</Empty>
      ) : (
        <form onSubmit={exchange} noValidate className="inline-form">
          <SelectField
            label="Shared vehicle"
            value={vehicleId}
            onChange={(e) => setVehicleId(e.target.value)}
          >
            {items.map((v) => (
              <option key={v.vehicleId} value={String(v.vehicleId)}>
                Vehicle {v.vehicleId} — {v.permissions.join(", ")}
              </option>
            ))}
          </SelectField>
          <button type="submit">Get a vehicle token</button>
        </form>
      )}
      <ErrorText error={error} />
      {claims ? (
        <>
          <p role="status">
            Vehicle token issued for vehicle {String(claims.token_id ?? chosen?.vehicleId)}.
          </p>
          <ClaimList claims={claims} label="Vehicle token claims" />
        </>
      ) : null}
    </div>
  );
}
