// Ponder resolves its config and the generated ponder-env.d.ts relative to its root (this folder);
// the configuration itself lives at the repository root, beside config/.
export { default } from "../ponder.config";
