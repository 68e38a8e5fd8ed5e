// The bare baseline for `npm run bench` (index section): the same chain, contracts and events as the
// real indexer (so it asks the RPC for exactly the same logs), with one insert per event.
export { default } from "../../../ponder.config";
