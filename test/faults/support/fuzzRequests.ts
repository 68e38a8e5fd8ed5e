import fc from "fast-check";

// fast-check arbitraries for HTTP requests against the API: operations read from its OpenAPI
// document (so a new route is fuzzed without touching this file), plus routes outside the document,
// each with valid-looking and hostile path parameters, queries, headers, cookies and bodies.

export type Operation = {
  method: string;
  /** OpenAPI path template, e.g. /v1/licenses/{tokenId}. */
  path: string;
  params: Array<{ name: string; in: string; schema?: Schema }>;
  body?: Schema;
};

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
};

type OpenApiDoc = {
  paths: Record<string, Record<string, { parameters?: Operation["params"]; requestBody?: unknown }>>;
  components?: { schemas?: Record<string, Schema> };
};

const METHODS = ["get", "post", "put", "patch", "delete", "head", "options"];

/** Every operation of the document. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const content = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)
        ?.content;
      const body = content ? Object.values(content)[0]?.schema : undefined;
      ops.push({
        method: method.toUpperCase(),
        path,
        params: op.parameters ?? [],
        ...(body ? { body } : {}),
      });
    }
  }
  return ops;
}

export type Secrets = {
  /** Valid values the fuzzer may use (known ids, aliases, addresses, the session cookie, CSRF token). */
  known: Record<string, string[]>;
  session: () => { cookie: string; csrf: string } | null;
  origin: string;
};

/** A marker that must never reach a log: planted in credentials and secret-looking body fields. */
const plant = (n: number) => `plant${n.toString(36).padStart(8, "0")}x${(n * 7919).toString(36)}`;

const hostile = [
  "",
  " ",
  "0",
  "-1",
  "1.5",
  "1e309",
  "NaN",
  "Infinity",
  "0x",
  "0xZZ",
  `0x${"f".repeat(40)}`,
  `0x${"0".repeat(64)}`,
  "9".repeat(80),
  "null",
  "undefined",
  "true",
  "[]",
  "{}",
  "' OR 1=1 --",
  "1; DROP TABLE dimo.license; --",
  "$(id)",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  "${7*7}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "%zz",
  "%",
  "\u0000",
  "\u202e\u0644\u0627",
  "😀".repeat(50),
  "é".normalize("NFD"),
  "\ud800",
  "a".repeat(10_000),
  "__proto__",
  "constructor",
];

const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostile) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).map(String) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
);

/** A value for a parameter: often a known-good one (to get past validation), else hostile. */
function paramValue(name: string, s: Secrets): fc.Arbitrary<string> {
  const known = s.known[name] ?? s.known[name.toLowerCase()] ?? [];
  return known.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 2, arbitrary: scalar })
    : scalar;
}

/** Encodes a path segment; sometimes not at all (raw slashes, percent signs, dots reach the router). */
const segment = (v: string, raw: boolean) => {
  if (raw) return v;
  try {
    return encodeURIComponent(v);
  } catch {
    return encodeURIComponent(Buffer.from(v, "utf8").toString()); // lone surrogates → U+FFFD
  }
};

function jsonFor(schema: Schema | undefined, doc: OpenApiDoc, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) return jsonFor(doc.components?.schemas?.[schema.$ref.split("/").pop()!], doc, depth + 1);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => jsonFor(a, doc, depth + 1)));
  if (schema.allOf?.length) return jsonFor(schema.allOf[0], doc, depth + 1);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const props = Object.entries(schema.properties ?? {});
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of props) record[k] = jsonFor(v, doc, depth + 1);
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    case "array":
      return fc.array(jsonFor(schema.items, doc, depth + 1), { maxLength: 4 });
    case "integer":
      return fc.oneof(fc.integer(), fc.constantFrom(0, 1, -1, 2 ** 53, 1e30));
    case "number":
      return fc.oneof(fc.double(), fc.integer());
    case "boolean":
      return fc.boolean();
    case "string":
      return fc.oneof(
        scalar,
        fc.emailAddress(),
        fc.webUrl(),
        fc.constantFrom(`0x${"ab".repeat(20)}`, `0x${"cd".repeat(65)}`),
      );
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Built once: bodyFor runs for every generated request. */
const HUGE = JSON.stringify({ x: "y".repeat(2_000_000) });
const DEEP = [20, 5_000, 100_000].map((depth) => `${"[".repeat(depth)}${"]".repeat(depth)}`);

type Body = { body: string | Uint8Array; type: string | null; planted: string[] };

/** A body that claims to be JSON: schema-shaped, with a field mutated, or not JSON at all. */
function bodyFor(op: Operation | null, doc: OpenApiDoc, counter: () => number): fc.Arbitrary<Body> {
  const json = (v: unknown) => JSON.stringify(v) ?? "null";
  const shaped = op?.body ? jsonFor(op.body, doc) : fc.jsonValue({ maxDepth: 3 });
  return fc.oneof(
    {
      weight: 40,
      arbitrary: shaped.map(
        (v): Body => ({
          body: json(v),
          type: "application/json" as string | null,
          planted: [] as string[],
        }),
      ),
    },
    {
      weight: 20,
      arbitrary: fc
        .tuple(
          shaped,
          fc.constantFrom(
            "code",
            "token",
            "secret",
            "password",
            "refresh_token",
            "id_token",
            "client_secret",
            "signature",
            "privateKey",
          ),
        )
        .map(([v, key]): Body => {
          const secret = plant(counter());
          const obj =
            v && typeof v === "object" && !Array.isArray(v) ? { ...v, [key]: secret } : { [key]: secret };
          return { body: json(obj), type: "application/json", planted: [secret] };
        }),
    },
    {
      weight: 10,
      arbitrary: fc
        .string({ maxLength: 200 })
        .map((s): Body => ({ body: s, type: "application/json", planted: [] })),
    },
    {
      weight: 10,
      arbitrary: fc
        .constantFrom("{", "[", '{"a":', "\u0000", "nul", '{"__proto__":{"x":1}}')
        .map((s): Body => ({ body: s, type: "application/json", planted: [] })),
    },
    // Deep and huge payloads are rare (each costs the server real work) but always in the mix.
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...DEEP)
        .map((body): Body => ({ body, type: "application/json", planted: [] })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<Body>({ body: HUGE, type: "application/json", planted: [] }),
    },
    {
      weight: 10,
      arbitrary: fc.string({ maxLength: 100 }).map(
        (s): Body => ({
          body: `a=${encodeURIComponent(s)}&b=1`,
          type: "application/x-www-form-urlencoded",
          planted: [],
        }),
      ),
    },
    {
      weight: 10,
      arbitrary: fc
        .tuple(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom(
            "application/octet-stream",
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=x",
          ),
        )
        .map(([b, type]) => ({
          body: b as string | Uint8Array,
          type: type as string | null,
          planted: [] as string[],
        })),
    },
    { weight: 10, arbitrary: shaped.map((v): Body => ({ body: json(v), type: null, planted: [] })) },
  );
}

export type FuzzRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Strings that must never appear in any log line. */
  planted: string[];
  /** What it targets, for the failure report. */
  target: string;
};

const METHOD = fc.constantFrom(
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "PROPFIND",
  "TRACE",
  "X-FUZZ",
);

/** Requests aimed at the documented operations and the extra routes, and at arbitrary paths. */
export function requestArbitrary(ops: Operation[], doc: OpenApiDoc, s: Secrets): fc.Arbitrary<FuzzRequest> {
  let n = 0;
  const counter = () => ++n;
  const headers = fc
    .record(
      {
        accept: fc.constantFrom("application/json", "*/*", "text/html", "application/xml", ";;;", ""),
        "accept-encoding": fc.constantFrom("gzip", "br", "deflate", "identity", "x-unknown", "gzip;q=0"),
        "content-encoding": fc.constantFrom("gzip", "br", "x-bogus"),
        "if-none-match": fc.oneof(
          fc.constant("*"),
          fc.string({ maxLength: 30 }).map((v) => `"${v}"`),
        ),
        "x-request-id": fc.oneof(fc.string({ maxLength: 300 }), fc.constant("x".repeat(5_000))),
        "x-forwarded-for": fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 })),
        origin: fc.constantFrom(s.origin, "https://evil.example", "null", "http://localhost:1"),
        "x-csrf-token": fc.oneof(fc.string({ maxLength: 60 }), fc.constant("__valid__")),
        "user-agent": fc.string({ maxLength: 200 }),
      },
      { requiredKeys: [] },
    )
    .map((h) => h as Record<string, string>);
  const credentials = fc.oneof(
    { weight: 3, arbitrary: fc.constant("session") },
    { weight: 2, arbitrary: fc.constant("none") },
    { weight: 1, arbitrary: fc.constant("plantedCookie") },
    { weight: 1, arbitrary: fc.constant("plantedBearer") },
    { weight: 1, arbitrary: fc.constant("jwtLike") },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((v) => `cookie:${v}`) },
  );

  const documented = fc.constantFrom(...ops).chain((op) => {
    const pathParams = op.params.filter((p) => p.in === "path");
    const queryParams = op.params.filter((p) => p.in === "query");
    return fc.record({
      op: fc.constant(op),
      method: fc.oneof({ weight: 6, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: METHOD }),
      raw: fc.boolean(),
      pathValues: fc.tuple(...pathParams.map((p) => paramValue(p.name, s))),
      query: fc.tuple(...queryParams.map((p) => fc.option(paramValue(p.name, s), { nil: undefined }))),
      extraQuery: fc.array(fc.tuple(fc.string({ maxLength: 12 }), scalar), { maxLength: 3 }),
      headers,
      credentials,
      body: fc.option(bodyFor(op, doc, counter), { freq: 5, nil: undefined }),
    });
  });
  const arbitrary = fc.record({
    prefix: fc.constantFrom(
      "/",
      "/v1/",
      "/console/",
      "/auth/",
      "/.well-known/",
      "/docs/",
      "//",
      "/v1//licenses/",
      "/console/operations/",
    ),
    tail: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom(...hostile)),
    method: METHOD,
    headers,
    credentials,
    body: fc.option(bodyFor(null, doc, counter), { nil: undefined }),
  });

  return fc
    .oneof(
      { weight: 5, arbitrary: documented.map((d) => ({ kind: "op" as const, ...d })) },
      { weight: 1, arbitrary: arbitrary.map((a) => ({ kind: "any" as const, ...a })) },
    )
    .map((r) => {
      const planted: string[] = [];
      const h: Record<string, string> = { ...r.headers };
      let path: string;
      let target: string;
      if (r.kind === "op") {
        const pathParams = r.op.params.filter((p) => p.in === "path");
        const queryParams = r.op.params.filter((p) => p.in === "query");
        path = r.op.path;
        pathParams.forEach((p, i) => {
          path = path.replace(`{${p.name}}`, segment(String(r.pathValues[i]), r.raw));
        });
        const q = new URLSearchParams();
        queryParams.forEach((p, i) => {
          const v = r.query[i];
          if (v !== undefined) q.append(p.name, String(v));
        });
        for (const [k, v] of r.extraQuery) q.append(k, v);
        const qs = q.toString();
        if (qs) path += `?${qs}`;
        target = `${r.op.method} ${r.op.path}`;
      } else {
        path = r.prefix + segment(r.tail, r.tail.length % 2 === 0);
        target = "arbitrary path";
      }
      const session = s.session();
      if (r.credentials === "session" && session) {
        h.cookie = session.cookie;
        if (h["x-csrf-token"] === "__valid__" || h["x-csrf-token"] === undefined)
          h["x-csrf-token"] = session.csrf;
      } else if (r.credentials === "plantedCookie") {
        const secret = plant(counter());
        planted.push(secret);
        h.cookie = `dimo_session=${secret}; __Host-dimo_session=${secret}`;
      } else if (r.credentials === "plantedBearer") {
        const secret = plant(counter());
        planted.push(secret);
        h.authorization = `Bearer ${secret}`;
      } else if (r.credentials === "jwtLike") {
        const secret = plant(counter());
        planted.push(secret);
        h.authorization = `Bearer eyJhbGciOiJIUzI1NiJ9.${Buffer.from(`{"sub":"${secret}"}`).toString("base64url")}.${secret}`;
      } else if (r.credentials.startsWith("cookie:")) {
        h.cookie = r.credentials.slice(7);
      }
      if (h["x-csrf-token"] === "__valid__") delete h["x-csrf-token"];
      const body = r.body ?? undefined;
      if (body) {
        planted.push(...body.planted);
        if (body.type) h["content-type"] = body.type;
        else delete h["content-type"];
      }
      if (!body || h["content-encoding"] === undefined) delete h["content-encoding"];
      return { method: r.method, path, headers: h, ...(body ? { body: body.body } : {}), planted, target };
    });
}
