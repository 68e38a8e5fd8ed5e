import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { AliasField } from "../alias";
import { ApiProblem, api, describe, must, type Operation } from "../api/client";
import { OperationProgress } from "../operations";
import { Link } from "../router";
import { useMe } from "../session";
import { Empty, Failed, Loading, Mono, Section, SelectField, useTitle } from "../ui";

const PAGE = 20;

export function Licenses() {
  useTitle("My licenses");
  const licenses = useInfiniteQuery({
    queryKey: ["licenses"],
    queryFn: ({ pageParam }) =>
      must(
        api.GET("/console/licenses", {
          params: { query: { limit: String(PAGE), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = licenses.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page">
      <h1>My licenses</h1>
      <CreateLicense />
      <Section title="Licenses of my wallets">
        {licenses.isPending ? (
          <Loading what="your licenses" />
        ) : licenses.isError ? (
          <Failed error={licenses.error} retry={() => void licenses.refetch()} />
        ) : items.length === 0 ? (
          <Empty>No license yet. Create one above: it is free on the devnet and takes a few seconds.</Empty>
        ) : (
          <ul className="cards" aria-label="Licenses">
            {items.map((l) => (
              <li key={l.tokenId} className="card">
                <h3>
                  <Link href={`/licenses/${l.tokenId}`}>{l.alias ?? `License ${l.tokenId}`}</Link>
                </h3>
                <dl className="facts">
                  <dt>Token ID</dt>
                  <dd>{l.tokenId}</dd>
                  <dt>Client ID</dt>
                  <dd>
                    <Mono>{l.clientId}</Mono>
                  </dd>
                  <dt>Status</dt>
                  <dd>{l.status === "active" ? "Active" : "Revoked"}</dd>
                  <dt>Vehicles shared</dt>
                  <dd>{l.vehicleCount === 0 ? "No vehicles connected" : l.vehicleCount}</dd>
                  <dt>Writes signed by</dt>
                  <dd>
                    {l.manageable === "managed" ? "the console (managed wallet)" : "your browser wallet"}
                  </dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
        {licenses.hasNextPage ? (
          <button
            type="button"
            className="secondary"
            onClick={() => void licenses.fetchNextPage()}
            disabled={licenses.isFetchingNextPage}
          >
            {licenses.isFetchingNextPage ? "Loading…" : "More licenses"}
          </button>
        ) : null}
      </Section>
    </div>
  );
}

function CreateLicense() {
  const me = useMe();
  const client = useQueryClient();
  const [alias, setAlias] = useState("");
  const [pay, setPay] = useState<"dcx" | "dimo">("dcx");
  const [wallet, setWallet] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState<{ op: Operation; alias: string }[]>([]);
  const wallets = me.data?.wallets ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await must(
        api.POST("/console/licenses", {
          body: { alias: alias.trim() === "" ? null : alias, pay, ...(wallet ? { wallet } : {}) },
        }),
      );
      setStarted((s) => [{ op: answer.operation, alias }, ...s]);
      setAlias("");
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.about("alias") ?? err.message) : describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Create a license">
      <form onSubmit={submit} noValidate className="grid-form">
        <AliasField value={alias} onChange={setAlias} serverError={error} />
        <fieldset className="field">
          <legend>Pay the license fee in</legend>
          <label className="inline">
            <input
              type="radio"
              name="pay"
              value="dcx"
              checked={pay === "dcx"}
              onChange={() => setPay("dcx")}
            />
            DCX (DIMO Credits)
          </label>
          <label className="inline">
            <input
              type="radio"
              name="pay"
              value="dimo"
              checked={pay === "dimo"}
              onChange={() => setPay("dimo")}
            />
            DIMO
          </label>
        </fieldset>
        <SelectField
          label="Owner wallet"
          value={wallet}
          onChange={(e) => setWallet(e.target.value)}
          hint="The managed wallet lets the console sign for you; a linked wallet signs in your browser."
        >
          {wallets.map((w) => (
            <option key={w.address} value={w.kind === "managed" ? "" : w.address}>
              {w.kind === "managed" ? "Managed wallet" : "Linked wallet"} {w.address}
            </option>
          ))}
        </SelectField>
        <div className="row">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create license"}
          </button>
        </div>
      </form>
      {started.map(({ op, alias: name }) => (
        <div key={op.id}>
          <OperationProgress
            operation={op}
            label={`Creating ${name ? `“${name}”` : "a license"}`}
            onSettled={() => {
              void client.invalidateQueries({ queryKey: ["licenses"] });
              void client.invalidateQueries({ queryKey: ["alias"] });
            }}
          />
        </div>
      ))}
    </Section>
  );
}
