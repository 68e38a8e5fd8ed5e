// The layers of this repository as rules, checked by `npm test` (`npm run layers`). Each layer rule
// names what a folder MAY import from the repo; any other repo file is a violation. npm packages and
// node: built-ins are not restricted here. Paths are relative to the repo root.
//
//   api/app.ts, api/server.ts   composition root: builds services, mounts routes (may import all of api/)
//   api/routes  → api/services, api/http, api/errors, api/lib, domain
//   api/http    → api/errors, api/lib, the db error classifier; service TYPES only (see below)
//   api/services → api/db, api/lib, api/errors, domain, abis, config
//   api/db      → api/lib; the indexer's schema TYPES (the dimo.* row types derive from it)
//   indexer     → domain, abis, config (through ponder.config.ts)
//   domain, abis, config import nothing of the repo but themselves
//   web (the console web app) imports only web/: it reaches the server over HTTP alone
//   product code never imports scripts/ or test/; only tests import test/
//   no import cycles anywhere (type-only imports included)

/** Any file of this repo (as opposed to node_modules/ and node: built-ins). */
const REPO = "^(api|abis|config|devnet|domain|indexer|scripts|test|web)/|^[^/]+\\.[cm]?[jt]s$";
/** Code that ships: everything npm start runs except scripts/ (its launcher and tools). */
const PRODUCT = "^(api|abis|config|devnet|domain|indexer)/|^ponder\\.config\\.ts$";
/**
 * A layer rule: files under `from` may import only repo files matching one of `allowed`, and their
 * tests beside them (x.test.ts) test/support/ as well (the rules below keep it out of product code).
 */
const layer = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: REPO, pathNot: [...allowed, "^test/support/"] },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle makes load order matter and couples both sides; split the shared part out.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "product-not-to-test",
      comment: "test/ holds suites and their support; nothing that ships may depend on it.",
      severity: "error",
      from: { path: "^(?!test/)", pathNot: "\\.test\\.ts$" },
      to: { path: "^test/" },
    },
    {
      name: "unit-tests-only-to-test-support",
      comment: "A test beside its code (x.test.ts) may use test/support/, never another suite.",
      severity: "error",
      from: { path: "^(?!test/).*\\.test\\.ts$" },
      to: { path: "^test/", pathNot: "^test/support/" },
    },
    {
      name: "product-not-to-scripts",
      comment: "scripts/ launches and operates the product; the product itself never reaches into it.",
      severity: "error",
      from: { path: PRODUCT },
      to: { path: "^scripts/" },
    },
    layer(
      "routes-layer",
      "^api/routes/",
      ["^api/(routes|services|http|lib)/", "^api/errors\\.ts$", "^domain/"],
      "Routes receive services from the composition root and speak HTTP; they never query the " +
        "database (api/db) or build what services build. domain/ is allowed for the vocabulary a " +
        "request schema validates (e.g. permission names).",
    ),
    layer(
      "services-layer",
      "^api/services/",
      ["^api/(services|db|lib)/", "^api/errors\\.ts$", "^(domain|abis|config)/"],
      "Services know nothing of HTTP: never api/http or api/routes. Errors are typed (api/errors.ts) " +
        "and mapped to responses once, in api/http/errors.ts.",
    ),
    layer(
      "http-layer",
      "^api/http/",
      [
        "^api/(http|lib)/",
        "^api/errors\\.ts$",
        // The error mapping turns driver errors that mean "database down" into 503; the classifier
        // is pure (no queries), so http may use it but nothing else of api/db.
        "^api/db/unavailable\\.ts$",
        // Types only: checked by the next rule.
        "^api/services/",
        "^(domain|config)/",
      ],
      "HTTP plumbing (middleware, error mapping, OpenAPI helpers) sits below routes: never api/routes.",
    ),
    {
      // The one exception to "http never imports services", chosen on purpose: middleware such as
      // requireSession and requireDeveloperJwt is handed a service by the composition root and names
      // its type (SessionService, Developer...). `import type` is erased at compile time, so no
      // code runs up the layers; repeating each service's shape as an interface in api/http would
      // only be a second copy to keep in step. Value imports stay forbidden.
      name: "http-to-services-types-only",
      comment: "api/http may import service TYPES (import type) only, never service code.",
      severity: "error",
      from: { path: "^api/http/" },
      to: { path: "^api/services/", dependencyTypesNot: ["type-only"] },
    },
    layer(
      "db-layer",
      "^api/db/",
      [
        "^api/(db|lib)/",
        // The dimo.* row types derive from the indexer's schema, its one source: types only,
        // checked by the next rule.
        "^indexer/ponder\\.schema\\.ts$",
      ],
      "The database layer (Kysely types, migrations, counters) depends only on small helpers.",
    ),
    {
      // Deriving the API's view row types from indexer/ponder.schema.ts keeps one source for the
      // indexed schema; `import type` loads nothing of the indexer (or Ponder) into the API.
      name: "db-to-indexer-schema-types-only",
      comment: "api/db may import the indexer's schema for its TYPES (import type) only.",
      severity: "error",
      from: { path: "^api/db/" },
      to: { path: "^indexer/", dependencyTypesNot: ["type-only"] },
    },
    layer(
      "lib-layer",
      "^api/lib/",
      ["^api/lib/", "^api/errors\\.ts$", "^(domain|abis|config)/"],
      "api/lib holds leaf helpers every layer may use; it must not depend on any of those layers.",
    ),
    layer(
      "errors-leaf",
      "^api/errors\\.ts$",
      [],
      "Typed errors are imported by every api layer, so they import none.",
    ),
    layer(
      "indexer-layer",
      "^indexer/|^ponder\\.config\\.ts$",
      ["^indexer/", "^ponder\\.config\\.ts$", "^(domain|abis|config)/"],
      "The indexer shares only domain rules, ABIs and configuration with the rest; never the API.",
    ),
    layer(
      "domain-leaf",
      "^domain/",
      ["^domain/"],
      "domain/ holds rules both indexer and API apply; it depends on nothing of the repo.",
    ),
    layer("abis-leaf", "^abis/", ["^abis/"], "Contract ABIs are data: they import nothing of the repo."),
    layer(
      "web-layer",
      "^web/",
      ["^web/"],
      "The web app talks to the server only through its documented HTTP API (types generated from " +
        "/openapi.json into web/src/api/schema.d.ts); importing server code would bundle it into the browser.",
    ),
    layer(
      "config-leaf",
      "^config/",
      ["^config/"],
      "Configuration is read by every part of the repo, so it imports none of them.",
    ),
  ],
  options: {
    // Type-only imports count: without this they are invisible (dependency-cruiser reads the
    // compiled output by default) and a type-only cycle or layer breach would pass.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: {
      path: "^(indexer/\\.ponder|indexer/generated|\\.data|devnet/contracts/out|web/dist|web/\\.dist-[0-9]+)/",
    },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
