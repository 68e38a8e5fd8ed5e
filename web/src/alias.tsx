import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, must } from "./api/client";
import { TextField } from "./ui";

const MAX_BYTES = 32;
const bytes = (s: string) => new TextEncoder().encode(s).length;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Whether an alias is free, asked of GET /v1/aliases/{alias} as the person types. */
export function useAliasCheck(alias: string, current?: string | null) {
  const wanted = useDebounced(alias, 250);
  const query = useQuery({
    queryKey: ["alias", wanted],
    // no-cache: revalidate (ETag) rather than reuse a public answer the browser cached a second ago.
    queryFn: () =>
      must(api.GET("/v1/aliases/{alias}", { params: { path: { alias: wanted } }, cache: "no-cache" })),
    enabled: wanted !== "" && wanted !== current && bytes(wanted) <= MAX_BYTES,
    staleTime: 1_000,
  });
  let status: string | null = null;
  let problem: string | null = null;
  if (alias === "") status = null;
  else if (bytes(alias) > MAX_BYTES)
    problem = `Too long: ${bytes(alias)} bytes, at most ${MAX_BYTES} (UTF-8)`;
  else if (alias === current) status = "This is the license's name now";
  else if (alias !== wanted || query.isFetching) status = `Checking “${alias}”…`;
  else if (query.data?.available) status = `“${alias}” is available`;
  else if (query.data?.reason === "taken")
    problem = `“${alias}” is taken${query.data.tokenId ? ` by license ${query.data.tokenId}` : ""}`;
  else if (query.data?.reason === "too_long") problem = `Too long: at most ${MAX_BYTES} bytes`;
  else if (query.isError) status = "Could not check availability now; the server checks again on submit";
  const ok = alias !== "" && problem === null && query.data?.available === true && alias === wanted;
  return { status, problem, ok };
}

/** The alias input with its live availability line; `serverError` is the write's refusal. */
export function AliasField({
  value,
  onChange,
  current,
  serverError,
  label = "License name (alias)",
}: {
  value: string;
  onChange: (v: string) => void;
  current?: string | null;
  serverError: string | null;
  label?: string;
}) {
  const check = useAliasCheck(value, current);
  return (
    <TextField
      label={label}
      name="alias"
      autoComplete="off"
      spellCheck={false}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      hint="Public and unique among active licenses, like a username; at most 32 bytes, case-sensitive."
      status={check.status}
      error={serverError ?? check.problem}
    />
  );
}
