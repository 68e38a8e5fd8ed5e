import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiProblem, api, describe, must, type Operation } from "../api/client";
import { OperationProgress } from "../operations";
import { useMe, useSettings } from "../session";
import { Empty, ErrorText, Failed, Loading, Mono, Section, TextField, Time, useTitle } from "../ui";
import { personalSign, requestAccount, walletAvailable } from "../wallet";

export function Wallets() {
  useTitle("Wallets");
  const me = useMe();
  const client = useQueryClient();
  const balances = useQuery({
    queryKey: ["balances"],
    queryFn: () => must(api.GET("/console/balances")),
  });
  const wallets = me.data?.wallets ?? [];
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["me"] });
    void client.invalidateQueries({ queryKey: ["balances"] });
  };
  const balanceOf = (address: string, symbol: "DIMO" | "DCX") =>
    balances.data?.items.find((i) => i.address === address)?.balances.find((b) => b.symbol === symbol)
      ?.balance;

  return (
    <div className="page">
      <h1>Wallets</h1>
      <Section title="My wallets and balances">
        {balances.isError ? <Failed error={balances.error} retry={() => void balances.refetch()} /> : null}
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Wallets and balances</caption>
            <thead>
              <tr>
                <th scope="col">Wallet</th>
                <th scope="col">Address</th>
                <th scope="col">DIMO</th>
                <th scope="col">DCX</th>
                <th scope="col">Linked</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {wallets.map((w) => (
                <tr key={w.address}>
                  <td>
                    {w.kind === "managed" ? "Managed (the console signs)" : "External (your wallet signs)"}
                  </td>
                  <td>
                    <Mono>{w.address}</Mono>
                  </td>
                  <td>{balances.isPending ? "…" : (balanceOf(w.address, "DIMO") ?? "—")}</td>
                  <td>{balances.isPending ? "…" : (balanceOf(w.address, "DCX") ?? "—")}</td>
                  <td>
                    <Time iso={w.createdAt} />
                  </td>
                  <td>{w.kind === "external" ? <Unlink address={w.address} onDone={refresh} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {balances.isPending ? <Loading what="balances" /> : null}
        <p className="hint">
          DCX (DIMO Credits) cost $0.001 each; license fees and API usage are priced in DCX. DCX is bought
          with DIMO and cannot be transferred.
        </p>
      </Section>
      <BuyDcx onDone={refresh} />
      <LinkWallet onDone={refresh} />
    </div>
  );
}

function Unlink({ address, onDone }: { address: string; onDone: () => void }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button
        type="button"
        className="danger small"
        aria-label={`Unlink wallet ${address}`}
        onClick={async () => {
          setError(null);
          try {
            await must(api.DELETE("/console/wallets/{address}", { params: { path: { address } } }));
            onDone();
          } catch (e) {
            setError(e);
          }
        }}
      >
        Unlink
      </button>
      <ErrorText error={error} />
    </>
  );
}

function BuyDcx({ onDone }: { onDone: () => void }) {
  const settings = useSettings();
  const [dimo, setDimo] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [ops, setOps] = useState<Operation[]>([]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const answer = await must(api.POST("/console/dcx/buy", { body: { dimoAmount: dimo.trim() } }));
      setOps((o) => [answer.operation, ...o]);
      setDimo("");
    } catch (err) {
      setError(err instanceof ApiProblem ? (err.about("dimoAmount") ?? err.message) : describe(err));
    }
  };
  return (
    <Section title="Buy DCX">
      <form onSubmit={submit} noValidate className="inline-form">
        <TextField
          label="DIMO to spend"
          name="dimoAmount"
          inputMode="decimal"
          placeholder="4"
          value={dimo}
          onChange={(e) => setDimo(e.target.value)}
          error={error}
          hint={
            settings.data?.devnetFunding
              ? "For the managed wallet. On the devnet it starts with 10,000 DIMO."
              : "For the managed wallet, paid from its DIMO balance."
          }
        />
        <button type="submit" disabled={dimo.trim() === ""}>
          Buy DCX
        </button>
      </form>
      {ops.map((op) => (
        <OperationProgress key={op.id} operation={op} label="Buying DCX" onSettled={onDone} />
      ))}
    </Section>
  );
}

/** SIWE (EIP-4361): the API writes the message, the browser wallet signs it, the API checks it. */
function LinkWallet({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [linked, setLinked] = useState<string | null>(null);
  const available = walletAvailable();
  const link = async () => {
    setBusy(true);
    setError(null);
    setLinked(null);
    try {
      const address = await requestAccount();
      const challenge = await must(api.POST("/console/wallets/siwe/nonce", { body: { address } }));
      if (!challenge.message) throw new Error("The server gave no message to sign");
      const signature = await personalSign(challenge.message, address);
      const wallet = await must(
        api.POST("/console/wallets/link", { body: { message: challenge.message, signature } }),
      );
      setLinked(wallet.address);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Link an external wallet">
      <p>
        Sign a Sign-In with Ethereum message with your browser wallet to prove it is yours. A linked wallet
        can own licenses; their writes are then signed in your wallet.
      </p>
      {available ? (
        <button type="button" onClick={link} disabled={busy}>
          {busy ? "Waiting for your wallet…" : "Link my browser wallet"}
        </button>
      ) : (
        <Empty>
          No browser wallet found on this page (an EIP-1193 wallet such as MetaMask provides one).
        </Empty>
      )}
      {linked ? (
        <p role="status">
          Linked <Mono>{linked}</Mono>.
        </p>
      ) : null}
      <ErrorText error={error} />
    </Section>
  );
}
