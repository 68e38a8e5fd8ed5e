import { useQuery } from "@tanstack/react-query";
import { api, must, type Operation } from "../api/client";
import { Link } from "../router";
import { Empty, Failed, Loading, Mono, Section, Time, useTitle } from "../ui";

const KINDS: Record<Operation["kind"], string> = {
  create_license: "Create license",
  rename_license: "Rename license",
  generate_key: "Generate API key",
  renew_key: "Renew API key",
  revoke_key: "Revoke API key",
  add_redirect_uri: "Add redirect URI",
  remove_redirect_uri: "Remove redirect URI",
  approve_dimo: "Approve DIMO",
  buy_dcx: "Buy DCX",
  devnet_faucet: "Devnet funding",
};

const STATUS: Record<Operation["status"], string> = {
  prepared: "Waiting for your wallet",
  submitted: "Sent",
  mined: "Mined",
  indexed: "Done",
  failed: "Failed",
};

export function Operations() {
  useTitle("Operations");
  // Open operations move: poll while any is not final.
  const list = useQuery({
    queryKey: ["operations"],
    queryFn: () => must(api.GET("/console/operations", { params: { query: { limit: "50" } } })),
    refetchInterval: (q) =>
      q.state.data?.items.some((o) => o.status !== "indexed" && o.status !== "failed") ? 1_000 : false,
  });
  return (
    <div className="page">
      <h1>Operations</h1>
      <p>Every change you make is a chain transaction followed until the console's reads show it.</p>
      <Section title="Recent operations">
        {list.isPending ? (
          <Loading what="operations" />
        ) : list.isError ? (
          <Failed error={list.error} retry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <Empty>No operation yet: create a license to see one.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">My latest operations, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">What</th>
                  <th scope="col">License</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Transaction</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((op) => (
                  <tr key={op.id}>
                    <td>{KINDS[op.kind]}</td>
                    <td>
                      {op.tokenId ? <Link href={`/licenses/${op.tokenId}`}>License {op.tokenId}</Link> : "—"}
                    </td>
                    <td>
                      <span className={`tag st-${op.status}`}>{STATUS[op.status]}</span>
                      {op.error ? <span className="error-inline"> {op.error.message}</span> : null}
                    </td>
                    <td>
                      <Time iso={op.createdAt} />
                    </td>
                    <td>{op.txHash ? <Mono>{op.txHash}</Mono> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}
