export { type ChainConfig, type Config, ConfigError, loadConfig, loadConfigOrExit } from "./env";
