import { checksumAddress } from "../../domain/eip55";

type AbiInput = { readonly name: string; readonly type: string };
export type HistoryArgs = Record<string, string | boolean | null>;

/**
 * An event's arguments as the history stores them (docs/indexing.md, "History"): keyed by ABI name, addresses
 * checksummed, integers as decimal strings, byte strings as lowercase hex.
 */
export function historyArgs(inputs: readonly AbiInput[], args: Record<string, unknown>): HistoryArgs {
  const out: HistoryArgs = {};
  for (const { name, type } of inputs) {
    const value = args[name];
    if (type === "address") out[name] = checksumAddress(value as string);
    else if (type.startsWith("uint") || type.startsWith("int")) out[name] = (value as bigint).toString();
    else if (type === "bool") out[name] = Boolean(value);
    else if (type.startsWith("bytes")) out[name] = (value as string).toLowerCase();
    else out[name] = value as string;
  }
  return out;
}
