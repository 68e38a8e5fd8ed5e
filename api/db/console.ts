// Row types of the API's own `console` schema (api/db/migrations). Empty until the accounts,
// sessions, keys and operations issues add their tables here, beside their migrations.

// biome-ignore lint/complexity/noBannedTypes: the schema has no tables yet; later migrations add them.
export type ConsoleDatabase = {};
