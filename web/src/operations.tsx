import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { type ApiPath, api, describe, must, type Operation } from "./api/client";
import { sendPrepared, walletAvailable } from "./wallet";

// Every console write answers an operation; this follows it live over server-sent events
// (GET /console/operations/{id}/events) until `indexed` or `failed`, so a page shows the change
// the moment the API's reads do. Never a "refresh the page".

const EVENTS: ApiPath = "/console/operations/{id}/events";
const FINAL = new Set<Operation["status"]>(["indexed", "failed"]);
export const isFinal = (op: Operation) => FINAL.has(op.status);

/** The operation as it changes; `initial` is the write's answer. */
export function useOperationStream(initial: Operation | null): Operation | null {
  const [op, setOp] = useState<Operation | null>(initial);
  const id = initial?.id ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new stream per operation id only.
  useEffect(() => {
    setOp(initial);
    if (!initial || isFinal(initial)) return;
    const source = new EventSource(EVENTS.replace("{id}", encodeURIComponent(initial.id)));
    source.addEventListener("operation", (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as Operation;
      setOp(next);
      if (isFinal(next)) source.close();
    });
    // The browser reconnects by itself (the server ends a stream after two minutes, and the
    // first event of a new one is the current state). A refused reconnect (signed out, say) closes
    // it for good: then show the operation as the API last has it.
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return;
      void api
        .GET("/console/operations/{id}", { params: { path: { id: initial.id } } })
        .then(({ data }) => data && setOp(data));
    };
    return () => source.close();
  }, [id]);
  return op;
}

const WORDS: Record<Operation["status"], string> = {
  prepared: "Waiting for your wallet to send the transaction",
  submitted: "Sent to the chain; waiting for a block",
  mined: "In a block; waiting for the index to show it",
  indexed: "Done: the change is visible",
  failed: "Failed",
};
const STEPS: Operation["status"][] = ["submitted", "mined", "indexed"];

/**
 * The live status of one write: its steps, the failure in words, and for an external wallet's
 * prepared transaction a button that has the browser wallet send it. `onSettled` runs once when
 * the operation is indexed or failed (pages refetch what it changed).
 */
export function OperationProgress({
  operation,
  label,
  onSettled,
}: {
  operation: Operation;
  label: string;
  onSettled?: (op: Operation) => void;
}) {
  const op = useOperationStream(operation) ?? operation;
  const settled = useRef(false);
  const client = useQueryClient();
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);

  useEffect(() => {
    if (isFinal(op) && !settled.current) {
      settled.current = true;
      void client.invalidateQueries({ queryKey: ["operations"] });
      onSettled?.(op);
    }
  }, [op, onSettled, client]);

  const reached = STEPS.indexOf(op.status);
  const send = async () => {
    setSending(true);
    setSendError(null);
    try {
      const txHash = await sendPrepared(op);
      await must(
        api.POST("/console/operations/{id}/submitted", { params: { path: { id: op.id } }, body: { txHash } }),
      );
    } catch (error) {
      setSendError(error);
    } finally {
      setSending(false);
    }
  };
  const cancel = async () => {
    setSendError(null);
    try {
      await must(api.DELETE("/console/operations/{id}", { params: { path: { id: op.id } } }));
    } catch (error) {
      setSendError(error);
    }
  };

  return (
    <div className={`operation op-${op.status}`}>
      <p role="status" aria-live="polite">
        <strong>{label}:</strong>{" "}
        {op.status === "failed" ? `Failed — ${op.error?.message ?? "unknown error"}` : WORDS[op.status]}
      </p>
      {op.status !== "failed" && op.status !== "prepared" ? (
        <ol className="steps" aria-label={`${label}: progress`}>
          {STEPS.map((step, i) => (
            <li key={step} className={i <= reached ? "done" : ""}>
              {step === "submitted" ? "Sent" : step === "mined" ? "Mined" : "Indexed"}
              {i <= reached ? <span className="sr-only"> (done)</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {op.status === "prepared" ? (
        <div className="row">
          {walletAvailable() ? (
            <button type="button" onClick={send} disabled={sending}>
              {sending ? "Waiting for your wallet…" : "Send with my browser wallet"}
            </button>
          ) : (
            <span className="hint">
              Send transaction <code>{op.transaction.to}</code> with data from wallet{" "}
              <code>{op.wallet.address}</code>, then report its hash (POST /console/operations/{op.id}
              /submitted).
            </span>
          )}
          <button type="button" className="secondary" onClick={cancel}>
            Cancel
          </button>
        </div>
      ) : null}
      {sendError ? (
        <p className="error" role="alert">
          {describe(sendError)}
        </p>
      ) : null}
    </div>
  );
}
